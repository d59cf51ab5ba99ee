// `rtad profiles init`: per-user models bootstrapped from the stored
// transaction history, as checkpoints the nodes restore instead of rebuilding.
#include "actors/detail/convert.hpp"
#include "actors/detail/profile_bootstrap.hpp"
#include "apps/command.hpp"
#include "apps/database.hpp"
#include "apps/progress_bar.hpp"
#include "apps/signals.hpp"
#include "generator/produce.hpp"

#include <iostream>
#include <thread>

namespace rtad::app {

namespace {

/// Exit code of a run stopped by Ctrl-C/SIGTERM: not done, but nothing failed.
constexpr int interrupted_exit = 130;
constexpr std::chrono::milliseconds progress_interval{200};

struct init_options {
  long min_transactions = -1; ///< -1: model.min_history
  std::size_t jobs = std::max(1u, std::thread::hardware_concurrency());
  std::size_t batch = 64;
  bool rebuild = false;
};

int profiles_init(const init_options& o, const global_options& g) {
  auto s = g.load();
  if (s.node.mode != config::detection_mode::enhanced)
    throw user_error("node.mode is " + config::to_string(s.node.mode) +
                     ": nodes in that mode keep no per-user models, so there is nothing to"
                     " bootstrap; use --set node.mode=enhanced (or RTAD_NODE_MODE=enhanced)");
  if (o.jobs == 0 || o.batch == 0)
    throw usage_error("--jobs and --batch must be at least 1");
  bootstrap_config cfg;
  cfg.url = s.pg.url;
  cfg.params = user_model_params(s.model);
  cfg.catch_up_limit = catch_up_limit(s.model);
  cfg.min_transactions =
    static_cast<std::size_t>(o.min_transactions >= 0 ? o.min_transactions : s.model.min_history);
  cfg.jobs = o.jobs;
  cfg.users_per_batch = o.batch;
  cfg.rebuild = o.rebuild;
  prepare_database(s.pg.url);
  block_stop_signals(); // before the workers start, so only this thread sees Ctrl-C

  auto plan = plan_bootstrap(cfg);
  std::cerr << "rtad profiles init: " << gen::with_thousands(plan.eligible)
            << " users with at least " << cfg.min_transactions << " stored transactions; "
            << gen::with_thousands(plan.already_done) << " have a checkpoint"
            << (cfg.rebuild ? " (rebuilt: --rebuild)" : " (skipped)") << "; building "
            << gen::with_thousands(plan.users.size()) << " with " << cfg.jobs << " jobs\n";
  if (plan.users.empty()) {
    std::cout << "nothing to do\n";
    return 0;
  }

  bootstrap_control ctl;
  std::atomic<bool> finished{false};
  std::exception_ptr error;
  auto started = std::chrono::steady_clock::now();
  std::thread runner([&] {
    try {
      run_bootstrap(cfg, plan.users, ctl);
    } catch (...) {
      error = std::current_exception();
    }
    finished = true;
  });
  progress_bar bar(plan.users.size(), "users");
  int sig = 0;
  while (!finished) {
    if (!sig && (sig = wait_stop_signal(progress_interval)) != 0) {
      ctl.stop = true;
      std::cerr << "\nstopping after the batches in hand ("
                << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ")\n";
    } else if (sig) {
      std::this_thread::sleep_for(progress_interval);
    }
    bar.update(ctl.built);
  }
  runner.join();
  bar.finish(ctl.built);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::size_t built = ctl.built;
  std::cout << "built " << gen::with_thousands(built) << " profiles from "
            << gen::with_thousands(ctl.transactions) << " stored transactions in "
            << clock_text(secs) << " (" << static_cast<long>(built / std::max(secs, 1e-3))
            << " profiles/s)\n";
  if (error)
    std::rethrow_exception(error);
  if (built < plan.users.size()) {
    std::cout << "interrupted: " << gen::with_thousands(plan.users.size() - built)
              << " users left; run the same command again to finish them\n";
    return interrupted_exit;
  }
  return 0;
}

command make_profiles(CLI::App& root, const global_options& g) {
  auto* cmd =
    root.add_subcommand("profiles", "per-user models: bootstrap them from stored history");
  cmd->require_subcommand(1);
  auto o = std::make_shared<init_options>();
  auto* init = cmd->add_subcommand(
    "init", "build a model checkpoint for every user with enough stored transactions");
  init
    ->add_option("-m,--min-transactions", o->min_transactions,
                 "users with fewer stored transactions are left out (default: model.min_history)")
    ->check(CLI::NonNegativeNumber);
  init->add_option("-j,--jobs", o->jobs, "worker threads (default: the core count)")
    ->capture_default_str();
  init->add_option("--batch", o->batch, "users loaded and committed together")
    ->capture_default_str();
  init->add_flag("--rebuild", o->rebuild,
                 "also rebuild users that have a checkpoint, overwriting it (e.g. after changing"
                 " model.* settings); stop the nodes first");
  init->footer(
    "Builds each model exactly as a node does for a user without a checkpoint (its latest\n"
    "2 x model.window stored transactions, with their stored verdicts, then unapplied labels)\n"
    "and stores it in user_profiles, so a node restores it instead of rebuilding.\n"
    "Resumable: users that have a checkpoint are skipped, so after Ctrl-C (exit 130) the\n"
    "same command finishes the rest. Needs node.mode=enhanced; model settings come from\n"
    "the configuration, as for the node.");
  return {cmd, [o, &g] { return profiles_init(*o, g); }};
}

} // namespace

RTAD_REGISTER_COMMAND("profiles", make_profiles);

} // namespace rtad::app
