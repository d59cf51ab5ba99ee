#pragma once

#include "messages/actors.hpp"

#include <chrono>
#include <memory>
#include <pqxx/connection>

namespace rtad {

/// Settings of the feedback listener.
struct feedback_config {
  std::string pg_url;
  std::vector<shard_actor> shards;
  std::chrono::milliseconds wait{200}; ///< longest block on PostgreSQL per poll
};

class label_receiver;

/// State of the feedback listener.
struct feedback_state {
  static inline const char* name = "feedback_listener";
  feedback_config cfg;
  std::shared_ptr<pqxx::connection> conn;
  std::shared_ptr<label_receiver> receiver; // listens on conn: reset before it
  std::chrono::steady_clock::time_point retry_at{};
};

/// Hands analyst labels to the shards; see feedback_listener_actor. Runs
/// detached: it blocks waiting for notifications.
feedback_listener_actor::behavior_type
feedback_listener(feedback_listener_actor::stateful_pointer<feedback_state> self,
                  feedback_config cfg);

} // namespace rtad
