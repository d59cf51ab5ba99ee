// `rtad demo`: everything on one machine — a node in enhanced mode, a
// producer at a visible rate, the dashboard — with a live line of figures.
#include "actors/detail/admin_tls.hpp"
#include "actors/detail/kafka_config.hpp"
#include "actors/detail/log.hpp"
#include "actors/detail/system_config.hpp"
#include "actors/node.hpp"
#include "apps/child_process.hpp"
#include "apps/command.hpp"
#include "apps/dashboard.hpp"
#include "apps/database.hpp"
#include "apps/embedded_kafka.hpp"
#include "apps/signals.hpp"
#include "generator/kafka_sink.hpp"
#include "generator/produce.hpp"
#include "generator/sources.hpp"

#include <caf/actor_system.hpp>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <thread>
#include <unistd.h>

namespace rtad::app {

namespace {

constexpr int probe_timeout_ms = 3000;
constexpr int embedded_partitions = 6;
constexpr double demo_span_days = 30; // timestamps end near now
constexpr std::chrono::seconds shutdown_timeout{60};

struct demo_options {
  std::size_t users = 2000;
  double rate = 100;
  bool embedded = false;
  bool dashboard = true;
  int port = 3000;
  std::string frontend = default_frontend_dir;
  double duration_s = 0;
};

/// Starts the dashboard (building it first if needed); null when it cannot.
std::unique_ptr<child_process> start_dashboard(const demo_options& o, const std::string& pg_url) {
  auto log = (std::filesystem::temp_directory_path() / "rtad-demo-dashboard.log").string();
  auto why_not = prepare_dashboard(o.frontend, pg_url, o.port, log);
  if (!why_not.empty()) {
    std::cerr << "  dashboard skipped: " << why_not << "\n";
    return nullptr;
  }
  return std::make_unique<child_process>(dashboard_command(), o.frontend,
                                         dashboard_env(pg_url, o.port), log);
}

std::string live_line(const node_metrics& m, double rate) {
  std::ostringstream os;
  os << "scored " << gen::with_thousands(m.scored) << " (" << static_cast<long>(rate) << "/s)"
     << "  flagged " << gen::with_thousands(m.flagged) << "  quarantined " << m.quarantined
     << "  profiles " << m.active_profiles << "  lag " << m.consumer_lag << "  database "
     << (m.db_available ? "up" : "DOWN");
  return os.str();
}

int run_demo(const demo_options& o, const global_options& g) {
  auto s = g.load();
  std::cerr << "rtad demo\n";
  std::unique_ptr<embedded_kafka> embedded;
  if (o.embedded || !kafka_reachable(s.kafka.bootstrap, s.kafka.properties, probe_timeout_ms)) {
    if (!o.embedded)
      std::cerr << "  no Kafka at " << s.kafka.bootstrap << "; using an embedded broker"
                << " (librdkafka's mock cluster)\n";
    embedded = std::make_unique<embedded_kafka>(s.kafka.topic, embedded_partitions);
    s.kafka.bootstrap = embedded->bootstrap();
    s.kafka.properties.clear(); // the mock speaks plain Kafka: no SASL, no SSL
    // The mock cluster does not answer CreateTopics, so there is no by-user
    // topic; none is needed: the demo's own producer keys by user.
    s.kafka.key = config::input_key::user;
  }
  std::cerr << "  Kafka       " << s.kafka.bootstrap << " topic " << s.kafka.topic << "\n"
            << "  PostgreSQL  " << s.pg.url << "\n";
  prepare_database(s.pg.url);
  block_stop_signals();

  rtad_system_config cfg;
  if (s.node.admin_port > 0)
    use_admin_tls(cfg, s.admin);
  caf::actor_system sys{cfg};
  s.node.mode = config::detection_mode::enhanced;
  rtad::node n{sys, s};
  auto metrics = n.metrics();

  gen::stream_params p;
  p.users = o.users;
  p.start_epoch_s = static_cast<std::int64_t>(std::time(nullptr)) -
                    static_cast<std::int64_t>(demo_span_days * 86400);
  gen::generated_source source(p);
  gen::kafka_sink_options ko;
  ko.bootstrap = s.kafka.bootstrap;
  ko.topic = s.kafka.topic;
  ko.overrides = s.kafka.properties;
  ko.log_cb = &kafka_log_line;
  gen::kafka_sink sink(ko);
  std::atomic<bool> stop{false};
  std::thread producer([&] {
    gen::produce_limits limits;
    limits.rate_per_s = o.rate;
    gen::produce(source, sink, limits, {}, stop);
  });
  std::cerr << "  producing " << o.rate << " transactions/s from " << o.users << " users\n";

  std::unique_ptr<child_process> dashboard;
  if (o.dashboard) {
    dashboard = start_dashboard(o, s.pg.url);
    if (dashboard)
      std::cerr << "  dashboard   http://127.0.0.1:" << o.port
                << "  (read-only; set RTAD_DASHBOARD_TOKEN to label)\n";
  }
  if (n.metrics_port() > 0)
    std::cerr << "  metrics     http://127.0.0.1:" << n.metrics_port() << "/metrics\n";
  std::cerr << "  Ctrl-C stops everything\n";

  bool tty = ::isatty(STDERR_FILENO);
  auto started = std::chrono::steady_clock::now();
  auto last = started;
  std::uint64_t last_scored = 0;
  int rc = 0;
  for (;;) {
    if (wait_stop_signal(std::chrono::milliseconds(1000)))
      break;
    auto now = std::chrono::steady_clock::now();
    if (n.failed()) {
      std::cerr << "\nrtad demo: the node failed; see the log above\n";
      rc = 1;
      break;
    }
    double secs = std::chrono::duration<double>(now - last).count();
    auto scored = metrics->scored.load();
    auto line = live_line(*metrics, static_cast<double>(scored - last_scored) / secs);
    last = now;
    last_scored = scored;
    if (tty)
      std::cerr << "\r\033[K" << line << std::flush;
    else if (static_cast<long>(std::chrono::duration<double>(now - started).count()) % 10 == 0)
      std::cerr << line << "\n";
    if (o.duration_s > 0 && std::chrono::duration<double>(now - started).count() >= o.duration_s)
      break;
  }
  std::cerr << "\nstopping...\n";
  stop = true;
  producer.join();
  if (dashboard)
    dashboard->stop();
  if (!n.stop(shutdown_timeout))
    rc = 1;
  std::cerr << live_line(*metrics, 0) << "\n";
  return rc;
}

command make_demo(CLI::App& root, const global_options& g) {
  auto* cmd = root.add_subcommand(
    "demo", "run a node, a producer and the dashboard on this machine, with live figures");
  auto o = std::make_shared<demo_options>();
  cmd->add_option("--users", o->users, "users the producer simulates")->capture_default_str();
  cmd->add_option("--rate", o->rate, "transactions per second")->capture_default_str();
  cmd->add_flag("--embedded-kafka", o->embedded,
                "use librdkafka's in-process mock broker even if kafka.bootstrap answers");
  cmd->add_flag("!--no-dashboard", o->dashboard, "do not start the dashboard");
  cmd->add_option("--dashboard-port", o->port, "port of the dashboard")->capture_default_str();
  cmd->add_option("--frontend", o->frontend, "the dashboard's folder")->capture_default_str();
  cmd->add_option("--duration", o->duration_s, "stop after this many seconds (0: at Ctrl-C)");
  cmd->footer("Without a reachable kafka.bootstrap an embedded broker is used; PostgreSQL must\n"
              "run (scripts/services start, or scripts/demo which does everything).");
  return {cmd, [o, &g] { return run_demo(*o, g); }};
}

} // namespace

RTAD_REGISTER_COMMAND("demo", make_demo);

} // namespace rtad::app
