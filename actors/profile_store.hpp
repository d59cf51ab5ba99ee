#pragma once

#include "actors/metrics.hpp"
#include "messages/actors.hpp"

#include <chrono>
#include <memory>
#include <pqxx/connection>
#include <string>
#include <vector>

namespace rtad {

/// Settings of the profile store.
struct profile_store_config {
  std::string url;
  std::size_t catch_up_limit = 512; ///< stored transactions replayed into one profile, at most
  std::chrono::milliseconds batch_delay{3};
  std::chrono::milliseconds max_backoff{5000};
  std::shared_ptr<node_metrics> metrics;
};

/// State of the profile store: load requests waiting for the next batch query.
struct profile_store_state {
  static inline const char* name = "profile_store";
  profile_store_config cfg;
  std::unique_ptr<pqxx::connection> conn;
  std::vector<std::pair<std::string, caf::typed_response_promise<profile_restore>>> waiting;
  bool timer_armed = false;
  std::chrono::milliseconds backoff{0};
};

/// Reads what restored profiles need; see profile_store_actor. Runs detached:
/// it blocks on PostgreSQL.
profile_store_actor::behavior_type
profile_store(profile_store_actor::stateful_pointer<profile_store_state> self,
              profile_store_config cfg);

} // namespace rtad
