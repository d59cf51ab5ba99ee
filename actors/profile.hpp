#pragma once

#include "actors/detail/metrics.hpp"
#include "messages/actors.hpp"
#include "models/user_model.hpp"

#include <deque>
#include <functional>
#include <memory>
#include <optional>

namespace rtad {

/// What every profile of a node shares; filled by the shard.
struct profile_config {
  models::model_params params;
  sink_actor sink;
  profile_store_actor store;
  std::shared_ptr<node_metrics> metrics;
  std::size_t checkpoint_every = 256; ///< learned transactions between checkpoints
  std::string node;                   ///< this node's name, for operators
};

/// State of one user's profile.
struct profile_state {
  static inline const char* name = "profile";
  std::string user;
  profile_config cfg;
  std::optional<models::user_model> model; ///< empty until the store answered
  std::vector<std::pair<std::vector<transaction>, global_snapshot>> queued;
  std::vector<std::function<void()>> after_restore; ///< requests that need the model
  std::deque<double> recent_scores;                 ///< for operators (rtad admin profile)
  std::deque<std::string> recent_explanations;
  std::string node;
  std::size_t since_checkpoint = 0;
  std::size_t memory_reported = 0;
};

/// One user's detector; see profile_actor in messages/actors.hpp.
profile_actor::behavior_type profile(profile_actor::stateful_pointer<profile_state> self,
                                     std::string user, profile_config cfg);

} // namespace rtad
