// `rtad node`: run one node of the actor system until SIGINT/SIGTERM.
#include "actors/detail/admin_tls.hpp"
#include "actors/detail/kafka_config.hpp"
#include "actors/detail/log.hpp"
#include "actors/detail/system_config.hpp"
#include "actors/node.hpp"
#include "apps/command.hpp"
#include "apps/database.hpp"
#include "apps/signals.hpp"

#include <caf/actor_system.hpp>
#include <cstdlib>
#include <iostream>
#include <pqxx/pqxx>
#include <thread>

namespace rtad::app {

namespace {

constexpr std::chrono::seconds progress_interval{10};
constexpr std::chrono::seconds id_check_interval{5};

/// Exit code of a node whose shutdown overran node.shutdown_timeout_s.
constexpr int exit_shutdown_timed_out = 3;

/// Ends the process `timeout` from now, whatever still runs: a node stuck
/// on PostgreSQL or the broker (a hand-over that cannot commit, a consumer
/// that cannot leave its group) must stop all the same. Nothing is lost:
/// PostgreSQL commits rows and offsets together, so what was not committed
/// is still ahead of the committed offsets and its partitions' next owner
/// reads it again.
void arm_shutdown_watchdog(std::chrono::seconds timeout) {
  std::thread([timeout] {
    std::this_thread::sleep_for(timeout);
    log::error(
      "node",
      "shutdown overran node.shutdown_timeout_s; exiting, what was not committed"
      " is left to the partitions' next owner" +
        log::fields()("timeout_s", timeout.count())("exit_code", exit_shutdown_timed_out).str());
    std::_Exit(exit_shutdown_timed_out);
  }).detach();
}

int run_node(const global_options& g, const std::vector<std::string>& extra) {
  auto o = g;
  o.overrides.insert(o.overrides.end(), extra.begin(), extra.end());
  auto s = o.load();
  try { // a setting like any other: refused before anything starts, exit 2
    check_kafka_properties(s.kafka.properties);
  } catch (const std::runtime_error& e) {
    throw config::config_error(e.what());
  }
  rtad_system_config cfg;
  if (s.node.admin_port > 0)
    use_admin_tls(cfg, s.admin); // a bad file stops the node here, not at the first connection
  prepare_database(s.pg.url);
  block_stop_signals();
  caf::actor_system sys{cfg};
  rtad::node n{sys, s};
  auto metrics = n.metrics();
  auto last_progress = std::chrono::steady_clock::now();
  auto last_id_check = last_progress;
  std::uint64_t last_scored = 0;
  const auto shutdown_timeout = std::chrono::seconds(s.node.shutdown_timeout_s);
  // Armed before the hand-over; the actor system's own teardown (it waits
  // for every actor) runs under it too.
  auto stop = [&] {
    arm_shutdown_watchdog(shutdown_timeout);
    return n.stop(shutdown_timeout);
  };
  int sig = 0;
  while ((sig = wait_stop_signal(std::chrono::milliseconds(200))) == 0) {
    if (n.shutdown_requested()) {
      log::info("node", "an operator asked this node to stop");
      return stop() ? 0 : 1;
    }
    if (n.failed()) {
      log::error("node", "stopping after a failure");
      stop();
      return 1;
    }
    auto now = std::chrono::steady_clock::now();
    if (now - last_id_check >= id_check_interval) {
      last_id_check = now;
      if (!n.holds_id()) {
        // Two nodes under one id would write one node_status row and one
        // admin identity: this one yields.
        log::error("node", "another node runs under this id now; stopping");
        stop();
        return 1;
      }
    }
    if (now - last_progress >= progress_interval) {
      auto scored = metrics->scored.load();
      double secs = std::chrono::duration<double>(now - last_progress).count();
      log::info(
        "node",
        "progress" +
          log::fields()("scored",
                        scored)("per_s", static_cast<std::uint64_t>((scored - last_scored) / secs))(
            "flagged", metrics->flagged.load())("quarantined", metrics->quarantined.load())(
            "lag", metrics->consumer_lag.load())("profiles", metrics->active_profiles.load())
            .str());
      last_progress = now;
      last_scored = scored;
    }
  }
  log::info("node",
            std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ", shutting down");
  return stop() ? 0 : 1;
}

command make_node(CLI::App& root, const global_options& g) {
  auto* cmd = root.add_subcommand("node", "run a detection node until SIGINT/SIGTERM");
  auto extra = std::make_shared<std::vector<std::string>>();
  auto mode = std::make_shared<std::string>();
  auto shards = std::make_shared<int>(0);
  auto name = std::make_shared<std::string>();
  cmd->add_option("--mode", *mode, "standard or enhanced (node.mode)")
    ->check(CLI::IsMember({"standard", "enhanced"}));
  cmd->add_option("--shards", *shards, "shard actors (node.shards)");
  cmd->add_option("--name", *name, "unique node id (node.name)");
  auto join = std::make_shared<std::vector<std::string>>();
  cmd->add_option("--join", *join,
                  "HOST:PORT of a running node's admin actor: join its cluster (node.join; "
                  "repeatable)");
  cmd->footer("Settings: rtad config keys. Stops cleanly on SIGINT/SIGTERM: leaves the\n"
              "consumer group, commits every row and offset, checkpoints every profile,\n"
              "and tells the other members of its cluster; after node.shutdown_timeout_s\n"
              "(30) it exits anyway, with code 3. Nodes of one cluster share\n"
              "kafka.group (which spreads the partitions) and node.admin_secret.");
  return {cmd, [=, &g] {
            std::vector<std::string> o;
            if (!mode->empty())
              o.push_back("node.mode=" + *mode);
            if (*shards > 0)
              o.push_back("node.shards=" + std::to_string(*shards));
            if (!name->empty())
              o.push_back("node.name=" + *name);
            if (!join->empty()) {
              std::string list;
              for (const auto& e : *join)
                list += (list.empty() ? "" : ",") + e;
              o.push_back("node.join=" + list);
            }
            return run_node(g, o);
          }};
}

} // namespace

RTAD_REGISTER_COMMAND("node", make_node);

} // namespace rtad::app
