#pragma once

#include "actors/profile.hpp"
#include "config/defaults.hpp"
#include "config/settings.hpp"
#include "models/epoch_model.hpp"
#include "models/threshold.hpp"

#include <chrono>
#include <deque>
#include <unordered_map>

namespace rtad {

/// Settings of a shard, filled by node::spawn_shards.
struct shard_config {
  config::detection_mode mode = config::detection_mode::enhanced;
  profile_config profile;
  models::threshold_params standard_threshold; ///< standard mode scores in the shard
  std::chrono::seconds passivate_after{defaults::node::passivate_after_s};
  std::size_t max_profiles = 50000; ///< this shard's share of the memory budget
  std::chrono::milliseconds tick_interval{1000};
  /// A transaction waits at most this long for its epoch's model: when the
  /// source's credit is all held by partitions running ahead, the epoch
  /// cannot close (its other partitions cannot be read).
  std::chrono::milliseconds epoch_wait{2000};
};

/// State of a shard: the directory of its users' profiles.
struct shard_state {
  static inline const char* name = "shard";
  struct entry {
    profile_actor actor;
    std::int32_t partition;
    std::chrono::steady_clock::time_point last_active;
  };
  shard_config cfg;
  std::unordered_map<std::string, entry> profiles;
  /// Users whose profile is writing its last checkpoint, with what arrived meanwhile.
  std::unordered_map<std::string, std::vector<std::vector<transaction>>> passivating;
  models::epoch_book<global_snapshot> snapshots;
  /// Per partition, in Kafka order: transactions whose epoch's model is not closed yet.
  std::unordered_map<std::int32_t, std::deque<transaction>> waiting;
  /// Per partition with waiting transactions: when its queue last moved.
  std::unordered_map<std::int32_t, std::chrono::steady_clock::time_point> waiting_since;
  /// Standard mode: one threshold per partition, which meets its
  /// transactions in Kafka order whatever the timing.
  std::unordered_map<std::int32_t, models::adaptive_threshold> standard_thresholds;
};

/// Owns the profiles of its users; see shard_actor in messages/actors.hpp.
shard_actor::behavior_type shard(shard_actor::stateful_pointer<shard_state> self, shard_config cfg);

} // namespace rtad
