#pragma once
// `rtad profiles init` without the command line: builds user models from the
// stored transaction history, the way a node rebuilds a profile that has no
// checkpoint, and stores them as checkpoints a node restores.

#include "models/user_model.hpp"

#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

namespace rtad {

/// What to bootstrap and how.
struct bootstrap_config {
  std::string url;
  models::model_params params;          ///< as the node's profiles use them
  std::size_t catch_up_limit = 512;     ///< latest stored transactions a model learns from
  std::size_t min_transactions = 1;     ///< users with fewer stored transactions are left out
  std::size_t jobs = 1;                 ///< worker threads, each with its own connections
  std::size_t users_per_batch = 64;     ///< users loaded in one query and written in one commit
  bool rebuild = false;                 ///< also users that have a checkpoint (overwritten)
  std::string writer = "profiles-init"; ///< user_profiles.node of what it writes
};

/// The users a bootstrap would build.
struct bootstrap_plan {
  std::size_t eligible = 0;       ///< users with at least min_transactions stored transactions
  std::size_t already_done = 0;   ///< of those, with a checkpoint (skipped unless rebuild)
  std::vector<std::string> users; ///< to build, sorted
};

/// Figures a running bootstrap updates, and its stop switch; shared with
/// whoever shows progress.
struct bootstrap_control {
  std::atomic<bool> stop{false};            ///< finish the batches in hand, then return
  std::atomic<std::size_t> built{0};        ///< users whose checkpoint is committed
  std::atomic<std::size_t> transactions{0}; ///< stored transactions learned from
};

/// Eligible users: with at least `min_transactions` stored transactions and,
/// unless `rebuild`, no checkpoint yet. A user with a checkpoint is done
/// whoever wrote it: a node's checkpoint knows more (labels, freezes,
/// thresholds), and one of ours is what an interrupted run finished.
bootstrap_plan plan_bootstrap(const bootstrap_config& cfg);

/// Builds and commits checkpoints for `users` with `cfg.jobs` threads, a
/// batch per commit, so an interrupted run loses at most the batches in hand.
/// Returns when all are built or `ctl.stop` was set; throws the first error
/// (after the other workers stopped).
void run_bootstrap(const bootstrap_config& cfg, const std::vector<std::string>& users,
                   bootstrap_control& ctl);

} // namespace rtad
