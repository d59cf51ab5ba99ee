#pragma once

#include "actors/detail/metrics.hpp"
#include "messages/actors.hpp"

#include <chrono>
#include <map>
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

/// Users restored by one query, at most. Every user waiting in one query
/// made a hand-over of thousands of users one query that ran into the
/// statement timeout and was retried as a whole (with more users each
/// time), while the users' transactions held the node's credit: nothing
/// was scored for minutes. In bounded queries, profiles come back one
/// batch after another.
inline constexpr std::size_t max_batch_users = 512;

/// State of the profile store: load requests waiting for the next batch query.
struct profile_store_state {
  static inline const char* name = "profile_store";
  profile_store_config cfg;
  std::unique_ptr<pqxx::connection> conn;
  std::vector<std::pair<std::string, caf::typed_response_promise<profile_restore>>> waiting;
  bool timer_armed = false;
  std::chrono::milliseconds backoff{0};
  std::size_t batch_users = max_batch_users; ///< halved when a query times out, doubled back after
};

/// What `users` need to come back: checkpoint, the stored transactions it has
/// not learned (without one: the latest `catch_up_limit`), labels not applied.
/// Three queries for all of them; throws pqxx errors. Without
/// `with_checkpoints` stored checkpoints are ignored, as if there were none.
std::map<std::string, profile_restore> load_profiles(pqxx::connection& c,
                                                     const std::vector<std::string>& users,
                                                     std::size_t catch_up_limit,
                                                     bool with_checkpoints = true);

/// Reads what restored profiles need; see profile_store_actor. Runs detached:
/// it blocks on PostgreSQL.
profile_store_actor::behavior_type
profile_store(profile_store_actor::stateful_pointer<profile_store_state> self,
              profile_store_config cfg);

} // namespace rtad
