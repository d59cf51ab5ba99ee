#pragma once

#include "messages/results.hpp"

#include <map>
#include <memory>
#include <pqxx/connection>
#include <pqxx/transaction>
#include <set>
#include <string>
#include <vector>

namespace rtad {

/// Where and as whom the sink writes.
struct pg_writer_config {
  std::string url;
  std::string node;
  std::string group;
  std::string topic;
  bool store_all = true;
  int retention_days = 30;
};

/// Everything one PostgreSQL transaction of the sink writes.
struct write_batch {
  std::vector<const scored_transaction*> rows;
  std::vector<const quarantine_entry*> quarantined;
  std::vector<const profile_checkpoint*> checkpoints;
  std::vector<std::int64_t> applied_labels;
  const global_checkpoint* global = nullptr;
  /// Leave a checkpoint already stored as it is: a bootstrap must not
  /// overwrite what a node learned meanwhile.
  bool keep_stored_checkpoints = false;
  std::map<std::int32_t, std::int64_t> watermarks; ///< partition -> next offset
  bool empty() const {
    return rows.empty() && quarantined.empty() && checkpoints.empty() && applied_labels.empty() &&
           watermarks.empty() && !global;
  }
};

/// The sink's SQL: one batch per transaction; rows are COPYed into a staging
/// table, then inserted with ON CONFLICT DO NOTHING so replays are harmless;
/// offsets and checkpoints commit with them. Throws pqxx errors on failure,
/// after which the caller may simply retry the same batch.
class pg_writer {
public:
  explicit pg_writer(pg_writer_config cfg);
  ~pg_writer();

  /// Writes and commits `b`; connects first if needed.
  void write(const write_batch& b);

  /// Drops partitions older than the retention; returns how many.
  int apply_retention();

  /// Forgets the connection and the partitions it knew (after an error), so
  /// the next write reconnects and checks them again.
  void reset();

  const pg_writer_config& config() const { return cfg_; }

private:
  void connect();
  void ensure_partitions(const write_batch& b);
  void write_checkpoints(pqxx::work& w, const write_batch& b);

  pg_writer_config cfg_;
  std::unique_ptr<pqxx::connection> conn_;
  std::set<std::int64_t> known_days_; ///< days whose partition exists
};

} // namespace rtad
