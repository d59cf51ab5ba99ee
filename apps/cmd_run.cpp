// `rtad run`: the original maintenance script's --run, --run-enhanced,
// --with-frontends and --run-frontends as one supervisor of child processes.
#include "apps/command.hpp"
#include "apps/dashboard.hpp"
#include "apps/signals.hpp"
#include "apps/supervisor.hpp"

#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace rtad::app {

namespace {

struct run_options {
  int nodes = 1;
  std::string mode; ///< empty: node.mode
  std::string name_prefix = "node";
  bool producer = true;
  double rate = 100;
  double producer_duration_s = 3600;
  std::size_t users = 2000;
  std::uint64_t seed = 1;
  bool dashboard = false;
  int dashboard_port = 3000;
  std::string frontend = default_frontend_dir;
  std::string log_dir;
  int max_failures = 5;
  double grace_s = 30;
  double first_backoff_s = 0.5;
  double max_backoff_s = 30;
  double stable_after_s = 30;
};

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<long>(seconds * 1000));
}

/// `rtad` with this process's --config and --set, then `extra` settings.
std::vector<std::string> rtad_base(const global_options& g, const std::vector<std::string>& extra) {
  std::vector<std::string> argv{std::filesystem::read_symlink("/proc/self/exe").string()};
  if (!g.config_file.empty())
    argv.insert(argv.end(), {"--config", g.config_file});
  for (const auto& o : g.overrides)
    argv.insert(argv.end(), {"--set", o});
  for (const auto& o : extra)
    argv.insert(argv.end(), {"--set", o});
  return argv;
}

/// The i-th of consecutive ports from `base`; 0 stays 0 (disabled).
int nth_port(int base, int i) {
  return base > 0 ? base + i : 0;
}

std::vector<child_spec> children_of(const run_options& o, const global_options& g,
                                    const config::settings& s) {
  std::vector<child_spec> out;
  auto log = [&](const std::string& name) { return o.log_dir + "/" + name + ".log"; };
  if (o.producer) {
    child_spec c;
    c.name = "producer";
    c.log_path = log(c.name);
    c.command = [o, base = rtad_base(g, {})](int start) {
      auto argv = base;
      // A restarted producer with the same seed would resend the same
      // transaction ids, which the nodes store once: new ones instead.
      argv.insert(argv.end(),
                  {"produce", "--rate", std::to_string(o.rate), "--duration",
                   std::to_string(o.producer_duration_s), "--users", std::to_string(o.users),
                   "--seed", std::to_string(o.seed + static_cast<std::uint64_t>(start))});
      return argv;
    };
    out.push_back(std::move(c));
  }
  for (int i = 0; i < o.nodes; ++i) {
    child_spec c;
    c.name = o.name_prefix + "-" + std::to_string(i + 1);
    c.log_path = log(c.name);
    auto argv =
      rtad_base(g, {"node.metrics_port=" + std::to_string(nth_port(s.node.metrics_port, i)),
                    "node.admin_port=" + std::to_string(nth_port(s.node.admin_port, i))});
    argv.insert(argv.end(), {"node", "--name", c.name});
    if (!o.mode.empty())
      argv.insert(argv.end(), {"--mode", o.mode});
    c.command = [argv](int) { return argv; };
    out.push_back(std::move(c));
  }
  if (o.dashboard) {
    child_spec c;
    c.name = "dashboard";
    c.log_path = log(c.name);
    c.dir = o.frontend;
    c.env = dashboard_env(s.pg.url, o.dashboard_port);
    c.command = [](int) { return dashboard_command(); };
    out.push_back(std::move(c));
  }
  return out;
}

int run_supervisor(run_options o, const global_options& g) {
  auto s = g.load();
  if (o.nodes < 0)
    throw usage_error("--nodes must be 0 or more");
  if (o.nodes == 0 && !o.producer && !o.dashboard)
    throw usage_error("nothing to run: no nodes (--nodes 0), no producer and no dashboard");
  if (o.max_failures < 1)
    throw usage_error("--max-failures must be at least 1");
  if (o.log_dir.empty())
    o.log_dir =
      (std::filesystem::temp_directory_path() / ("rtad-run-" + std::to_string(getpid()))).string();
  std::filesystem::create_directories(o.log_dir);
  if (o.dashboard) {
    auto why_not =
      prepare_dashboard(o.frontend, s.pg.url, o.dashboard_port, o.log_dir + "/dashboard-build.log");
    if (!why_not.empty())
      throw user_error("cannot start the dashboard: " + why_not);
  }
  block_stop_signals(); // children start with none blocked (child_process)
  supervisor_options so;
  so.first_backoff = millis(o.first_backoff_s);
  so.max_backoff = millis(o.max_backoff_s);
  so.stable_after = millis(o.stable_after_s);
  so.max_rapid_failures = o.max_failures;
  so.grace = millis(o.grace_s);
  std::cerr << "rtad run: " << o.nodes << " node(s)"
            << (o.mode.empty() ? "" : " in " + o.mode + " mode")
            << (o.producer ? ", a producer at " + std::to_string(static_cast<long>(o.rate)) + "/s"
                           : "")
            << (o.dashboard
                  ? ", the dashboard on http://127.0.0.1:" + std::to_string(o.dashboard_port)
                  : "")
            << "; logs in " << o.log_dir << "; Ctrl-C stops everything\n";
  supervisor sup(children_of(o, g, s), so, std::cerr);
  int received = 0;
  int rc = sup.run([&](std::chrono::milliseconds d) {
    received = wait_stop_signal(d);
    return received != 0;
  });
  if (received)
    std::cerr << "rtad run: stopped on " << (received == SIGINT ? "SIGINT" : "SIGTERM") << "\n";
  else if (rc != 0)
    std::cerr << "rtad run: gave up (see above); every child is stopped\n";
  return rc;
}

command make_run(CLI::App& root, const global_options& g) {
  auto* cmd = root.add_subcommand(
    "run", "supervise a producer, nodes and the dashboard: restart what dies, stop all on Ctrl-C");
  auto o = std::make_shared<run_options>();
  cmd->add_option("-n,--nodes", o->nodes, "nodes to run, each with its own id and ports")
    ->capture_default_str();
  cmd->add_option("--mode", o->mode, "standard or enhanced (default: node.mode)")
    ->check(CLI::IsMember({"standard", "enhanced"}));
  cmd->add_option("--name-prefix", o->name_prefix, "node ids are PREFIX-1, PREFIX-2, ...")
    ->capture_default_str();
  cmd->add_flag("!--no-producer", o->producer, "do not start a producer");
  cmd->add_option("-r,--rate", o->rate, "producer: transactions per second")->capture_default_str();
  cmd
    ->add_option("--producer-duration", o->producer_duration_s,
                 "producer: seconds it runs, then it has finished (exit 0, not restarted)")
    ->capture_default_str();
  cmd->add_option("-u,--users", o->users, "producer: users it simulates")->capture_default_str();
  cmd->add_option("--seed", o->seed, "producer: seed of its first start (each restart adds 1)")
    ->capture_default_str();
  cmd->add_flag("--dashboard", o->dashboard, "also run the dashboard (built first if needed)");
  cmd->add_option("--dashboard-port", o->dashboard_port, "port of the dashboard")
    ->capture_default_str();
  cmd->add_option("--frontend", o->frontend, "the dashboard's folder")->capture_default_str();
  cmd->add_option("--log-dir", o->log_dir, "one log file per child (default: a new temp folder)");
  cmd
    ->add_option("--max-failures", o->max_failures,
                 "give up (stop all, exit 1) after this many failures of one child in a row,"
                 " each soon after its start")
    ->capture_default_str();
  cmd
    ->add_option("--stable-after", o->stable_after_s,
                 "seconds a child must run for its failures to count from zero again")
    ->capture_default_str();
  cmd->add_option("--backoff", o->first_backoff_s, "seconds before the first restart; doubles")
    ->capture_default_str();
  cmd->add_option("--max-backoff", o->max_backoff_s, "seconds between restarts, at most")
    ->capture_default_str();
  cmd->add_option("--grace", o->grace_s, "seconds between SIGTERM and SIGKILL when stopping")
    ->capture_default_str();
  cmd->footer(
    "Node i (from 1) is PREFIX-i with node.metrics_port and node.admin_port plus i-1 (0 stays\n"
    "off); every child gets this command's --config and --set. A child that exits 0 has\n"
    "finished and is not restarted. The original script's modes:\n"
    "  --run            rtad run --mode standard\n"
    "  --run-enhanced   rtad run --mode enhanced\n"
    "  --with-frontends rtad run --dashboard\n"
    "  --run-frontends  rtad run --dashboard --nodes 0 --no-producer");
  return {cmd, [o, &g] { return run_supervisor(*o, g); }};
}

} // namespace

RTAD_REGISTER_COMMAND("run", make_run);

} // namespace rtad::app
