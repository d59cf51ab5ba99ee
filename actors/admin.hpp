#pragma once

#include "actors/detail/metrics.hpp"
#include "messages/actors.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace rtad {

/// Settings of the admin actor.
struct admin_config {
  std::string secret; ///< node.admin_secret; empty refuses every request
  std::string node;
  std::string mode;
  std::vector<shard_actor> shards;
  std::shared_ptr<node_metrics> metrics;
  registry_actor registry;                               ///< cluster membership of this node
  std::shared_ptr<std::atomic<bool>> shutdown_requested; ///< the node's main loop watches it
};

/// State of the admin actor.
struct admin_state {
  static inline const char* name = "admin";
  admin_config cfg;
};

/// The operator's door; see admin_actor in messages/actors.hpp.
admin_actor::behavior_type admin(admin_actor::stateful_pointer<admin_state> self, admin_config cfg);

/// The shard of a user, the same in every process.
shard_actor shard_for(const std::vector<shard_actor>& shards, const std::string& user);

} // namespace rtad
