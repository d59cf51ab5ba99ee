#pragma once

#include "actors/metrics.hpp"
#include "messages/actors.hpp"
#include "models/global_model.hpp"
#include "models/population.hpp"

#include <chrono>
#include <memory>
#include <optional>

namespace rtad {

/// Settings of the global model actor.
struct global_model_config {
  std::size_t dims = 0;
  models::forest_params forest;
  std::size_t window = 8192;
  std::size_t refit_every = 1024;
  std::vector<std::pair<float, float>> domains;
  std::chrono::milliseconds publish_interval{1000}; ///< newest snapshot at most this often
  std::chrono::seconds checkpoint_interval{60};      ///< and to PostgreSQL at most this often
  std::string mode;                                  ///< global_models key
  std::vector<std::uint8_t> restore;                 ///< a checkpoint to start from (may be empty)
  caf::strong_actor_ptr sink;                        ///< a sink_actor (declared after this one)
  std::shared_ptr<node_metrics> metrics;
};

/// State of the global model actor.
struct global_model_state {
  static inline const char* name = "global_model";
  global_model_config cfg;
  std::optional<models::global_model> model;
  models::population_window recent; ///< what calibrates scores besides the forest
  std::shared_ptr<const models::population_reference> population; ///< of the last publication
  std::vector<shard_actor> subscribers;
  std::uint64_t published_version = 0;
  std::chrono::steady_clock::time_point last_publish{};
  std::chrono::steady_clock::time_point last_checkpoint{};
  std::uint64_t checkpointed_version = 0;
  bool publish_armed = false;
};

/// The node's population forest; see global_model_actor in messages/actors.hpp.
global_model_actor::behavior_type
global_model(global_model_actor::stateful_pointer<global_model_state> self,
             global_model_config cfg);

} // namespace rtad
