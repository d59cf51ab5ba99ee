#pragma once
// Helpers for tests with several nodes: who owns partitions, and the history
// of every profile checkpoint (which node wrote it, with which model version).

#include "support/node_fixture.hpp"

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace rtad::test {

/// The last line of the file at `path` that contains `needle`; empty if none.
inline std::string last_line_with(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::string line, found;
  while (std::getline(in, line))
    if (line.find(needle) != std::string::npos)
      found = line;
  return found;
}

/// True when the node logging to `path` was last assigned at least one
/// partition (and has not been revoked since).
inline bool owns_partitions(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  bool owns = false;
  while (std::getline(in, line)) {
    if (line.find("kafka_source assigned") != std::string::npos)
      owns = line.find("partitions= ") == std::string::npos &&
             line.find("partitions=") != std::string::npos;
    else if (line.find("kafka_source revoked") != std::string::npos)
      owns = false;
  }
  return owns;
}

/// Waits until every node logging to one of `logs` owns partitions; false
/// after `timeout`.
inline bool all_own_partitions(const std::vector<std::string>& logs,
                               std::chrono::seconds timeout = std::chrono::seconds(60)) {
  auto all = [&] {
    return std::all_of(logs.begin(), logs.end(), [](const auto& l) { return owns_partitions(l); });
  };
  return eventually(all, timeout);
}

/// Keeps every write of user_profiles in profile_history(id, user_id, node,
/// model_version), so a test sees a user's model move between nodes.
inline void record_checkpoint_history(const node_fixture& f) {
  pqxx::connection c(f.db.url());
  pqxx::work w(c);
  w.exec("create table profile_history (id bigserial primary key, user_id text, node text,"
         " model_version bigint, at timestamptz default clock_timestamp())");
  w.exec("create function rtad_test_history() returns trigger language plpgsql as $$ begin"
         " insert into profile_history (user_id, node, model_version)"
         " values (new.user_id, new.node, new.model_version); return new; end $$");
  w.exec("create trigger profile_history after insert or update on user_profiles"
         " for each row execute function rtad_test_history()");
  w.commit();
}

} // namespace rtad::test
