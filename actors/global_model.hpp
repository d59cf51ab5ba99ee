#pragma once

#include "actors/detail/metrics.hpp"
#include "config/defaults.hpp"
#include "messages/actors.hpp"
#include "models/epoch_model.hpp"
#include "models/global_model.hpp"

#include <chrono>
#include <memory>
#include <optional>

namespace rtad {

/// Settings of the global model actor.
struct global_model_config {
  std::size_t dims = 0;
  models::forest_params forest;
  std::size_t window = defaults::model::global_window;
  std::size_t refit_every = 1024;
  std::vector<std::pair<float, float>> domains;
  std::chrono::seconds checkpoint_interval{60}; ///< to PostgreSQL at most this often
  std::string mode;                             ///< global_models key
  std::vector<std::uint8_t> restore;            ///< a checkpoint to start from (may be empty)
  caf::strong_actor_ptr sink;                   ///< a sink_actor (declared after this one)
  std::shared_ptr<node_metrics> metrics;
};

/// State of the global model actor.
struct global_model_state {
  static inline const char* name = "global_model";
  global_model_config cfg;
  std::optional<models::epoch_model> model;
  std::vector<shard_actor> subscribers;
  global_snapshot published; ///< the last closed epoch's
  std::chrono::steady_clock::time_point last_checkpoint{};
  std::uint64_t checkpointed_version = 0;
};

/// The node's population forest; see global_model_actor in messages/actors.hpp.
global_model_actor::behavior_type
global_model(global_model_actor::stateful_pointer<global_model_state> self,
             global_model_config cfg);

} // namespace rtad
