// `rtad produce`: labelled transactions from the generator (or a JSONL file)
// to Kafka or to a JSONL file. Everything it runs lives in generator/.
#include "actors/detail/kafka_config.hpp"
#include "apps/command.hpp"
#include "generator/kafka_sink.hpp"
#include "generator/produce.hpp"
#include "generator/sources.hpp"

#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <ctime>
#include <iostream>
#include <memory>
#include <unistd.h>

namespace rtad::app {

namespace {

constexpr double default_span_days = 30; ///< for the start time when nothing bounds the stream
constexpr double s_per_day = 86400;
constexpr int interrupted_exit_code = 130; ///< as a shell reports SIGINT

std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int) {
  stop_requested = true;
  std::signal(SIGINT, SIG_DFL); // a second Ctrl-C ends at once
}

struct produce_cli {
  std::uint64_t count = 0;
  double duration_s = 0;
  double rate = 0;
  std::string out;
  std::string replay;
  std::string topic;
  std::size_t users = 1000;
  std::uint64_t seed = 1;
  std::string start;
  double days = 0;
  double time_scale = 1;
  double fraud = -1;
  double benign = -1;
  std::vector<std::string> fractions;
  std::uint32_t victim_history = 20;
  std::vector<std::string> kafka_properties;
  int create_partitions = 0;
  bool quiet = false;
  bool no_key = false;
  CLI::Option* count_opt = nullptr;
  CLI::Option* duration_opt = nullptr;
  CLI::Option* days_opt = nullptr;
  CLI::Option* start_opt = nullptr;
};

// Epoch seconds, or an ISO 8601 UTC date/time: 2026-01-31, 2026-01-31T08:00:00[Z].
std::int64_t parse_time(const std::string& text) {
  bool digits = !text.empty();
  for (char c : text)
    digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits)
    return std::stoll(text);
  std::tm tm{};
  int n = 0;
  const char* s = text.c_str();
  if (std::sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3 ||
      (s[n] != '\0' &&
       std::sscanf(s + n, "T%2d:%2d:%2d", &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 3))
    throw usage_error("--start '" + text +
                      "': expected epoch seconds or YYYY-MM-DD[THH:MM:SS[Z]] (UTC)");
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60)
    throw usage_error("--start '" + text + "': not a valid date and time");
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm));
}

gen::kind_fractions fractions_of(const produce_cli& o) {
  auto f = gen::default_fractions();
  constexpr double fraud_types = 5, benign_types = 3;
  for (auto k : gen::injected_kinds) {
    auto& v = f[static_cast<std::size_t>(k)];
    if (gen::is_fraud(k) && o.fraud >= 0)
      v = o.fraud / fraud_types;
    if (!gen::is_fraud(k) && o.benign >= 0)
      v = o.benign / benign_types;
  }
  for (const auto& item : o.fractions) {
    auto eq = item.find('=');
    auto kind = eq == std::string::npos ? std::nullopt : gen::parse_event_kind(item.substr(0, eq));
    if (!kind) {
      std::string known;
      for (auto k : gen::injected_kinds)
        known += std::string(known.empty() ? "" : ", ") + gen::to_string(k);
      throw usage_error("--fraction '" + item + "': expected TYPE=FRACTION with TYPE one of " +
                        known);
    }
    try {
      f[static_cast<std::size_t>(*kind)] = std::stod(item.substr(eq + 1));
    } catch (const std::exception&) {
      throw usage_error("--fraction '" + item + "': '" + item.substr(eq + 1) + "' is not a number");
    }
  }
  return f;
}

gen::stream_params stream_params_of(const produce_cli& o) {
  gen::stream_params p;
  p.seed = o.seed;
  p.users = o.users;
  p.time_scale = o.time_scale;
  p.fractions = fractions_of(o);
  p.victim_min_history = o.victim_history;
  try {
    gen::validate(p);
  } catch (const std::invalid_argument& e) {
    throw user_error(std::string("produce: ") + e.what());
  }
  if (o.start_opt->count()) {
    p.start_epoch_s = parse_time(o.start);
  } else {
    // End near now: the node's day partitions and retention then treat the
    // stream as recent traffic.
    const auto users = gen::make_population({o.seed, o.users});
    std::optional<double> span_s;
    auto bound = [&](double s) { span_s = span_s ? std::min(*span_s, s) : s; };
    if (o.days_opt->count())
      bound(o.days * s_per_day);
    if (o.count_opt->count())
      bound(gen::expected_span_s(users, o.count));
    if (o.duration_opt->count() && o.rate > 0)
      bound(gen::expected_span_s(users, static_cast<std::uint64_t>(o.duration_s * o.rate)));
    if (!span_s)
      span_s = default_span_days * s_per_day;
    p.start_epoch_s = static_cast<std::int64_t>(std::time(nullptr)) -
                      static_cast<std::int64_t>(*span_s / o.time_scale);
  }
  return p;
}

std::map<std::string, std::string> kafka_overrides(const std::vector<std::string>& items) {
  std::map<std::string, std::string> m;
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw usage_error("--kafka-property '" + item + "': expected KEY=VALUE");
    m[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return m;
}

void print_kinds(const gen::generated_source& s) {
  const auto counts = s.sent_by_kind();
  std::cerr << "  ground truth:";
  for (auto k : gen::injected_kinds)
    std::cerr << " " << gen::to_string(k) << "=" << counts[static_cast<std::size_t>(k)];
  std::cerr << "\n";
}

int run(const produce_cli& o, const global_options& g) {
  if (!o.replay.empty() && (o.days_opt->count() || o.start_opt->count()))
    throw usage_error("--replay sends a file as it is: --days and --start do not apply");
  if (o.replay.empty() && !o.count_opt->count() && !o.duration_opt->count() && !o.days_opt->count())
    throw usage_error("produce: give --count, --duration or --days (the generator never ends)");
  if (o.rate < 0)
    throw usage_error("--rate must be positive (messages per second)");
  if (o.create_partitions < 0)
    throw usage_error("--create-topic needs a positive number of partitions");

  std::unique_ptr<gen::message_source> source;
  gen::generated_source* generated = nullptr;
  if (!o.replay.empty()) {
    source = std::make_unique<gen::replay_source>(o.replay);
  } else {
    auto p = stream_params_of(o);
    std::optional<double> until_s;
    if (o.days_opt->count())
      until_s = o.days * s_per_day;
    auto g_src = std::make_unique<gen::generated_source>(p, until_s);
    generated = g_src.get();
    source = std::move(g_src);
  }

  std::unique_ptr<gen::message_sink> sink;
  std::string where;
  if (!o.out.empty()) {
    sink = std::make_unique<gen::file_sink>(o.out);
    where = o.out == "-" ? "standard output" : o.out;
  } else {
    auto s = g.load();
    gen::kafka_sink_options k;
    k.bootstrap = s.kafka.bootstrap;
    k.topic = o.topic.empty() ? s.kafka.topic : o.topic;
    k.overrides = s.kafka.properties; // kafka.properties, then --kafka-property on top
    for (auto& [key, v] : kafka_overrides(o.kafka_properties))
      k.overrides[key] = v;
    k.create_partitions = o.create_partitions;
    k.keyed = !o.no_key;
    k.log_cb = &kafka_log_line;
    sink = std::make_unique<gen::kafka_sink>(k);
    where = "Kafka topic " + k.topic + " at " + k.bootstrap;
  }

  gen::produce_limits limits;
  if (o.count_opt->count())
    limits.count = o.count;
  if (o.duration_opt->count())
    limits.duration_s = o.duration_s;
  limits.rate_per_s = o.rate;
  gen::progress_options progress;
  if (!o.quiet) {
    progress.out = stderr;
    progress.rewrite_line = ::isatty(STDERR_FILENO);
    progress.interval_s = progress.rewrite_line ? 1.0 : 10.0;
  }

  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  auto report = gen::produce(*source, *sink, limits, progress, stop_requested);

  const auto& d = report.delivery;
  if (!o.quiet) {
    std::cerr << "rtad produce: " << gen::with_thousands(d.written) << " messages to " << where
              << " in " << gen::clock_text(report.seconds) << " ("
              << gen::with_thousands(static_cast<std::uint64_t>(report.rate())) << " msg/s)\n";
    if (generated)
      print_kinds(*generated);
  }
  if (d.failed > 0) {
    std::cerr << "rtad produce: " << gen::with_thousands(d.failed) << " of "
              << gen::with_thousands(d.written)
              << " messages were not delivered (first error: " << d.first_error << ")\n";
    return 1;
  }
  return report.interrupted ? interrupted_exit_code : 0;
}

command make_produce(CLI::App& root, const global_options& g) {
  auto* cmd = root.add_subcommand(
    "produce", "generate labelled transactions (or replay a JSONL file) to Kafka or a file");
  auto o = std::make_shared<produce_cli>();
  cmd->footer(
    "The stream is the same for the same --seed and options. Without --out it goes to the\n"
    "topic kafka.topic at kafka.bootstrap (see `rtad config show`), keyed by user id.\n"
    "Fraud types: account_takeover card_testing merchant_category_shift amount_spike\n"
    "impossible_travel; benign surprises: benign_trip benign_large_purchase benign_new_device.\n"
    "Exit status: 0 when every message was delivered, 1 when any was not, 130 on Ctrl-C.");
  o->count_opt = cmd->add_option("-n,--count", o->count, "stop after this many messages");
  o->duration_opt =
    cmd->add_option("-d,--duration", o->duration_s, "stop after this many seconds (wall clock)");
  cmd->add_option("-r,--rate", o->rate, "messages per second (default: as fast as possible)");
  cmd->add_option("-o,--out", o->out,
                  "write JSONL to FILE ('-' for standard output) instead of Kafka");
  cmd->add_option("--replay", o->replay,
                  "send the transactions of a JSONL file instead of generating");
  cmd->add_option("--topic", o->topic, "Kafka topic (default: setting kafka.topic)");
  cmd->add_option("--create-topic", o->create_partitions,
                  "create the topic with this many partitions if it does not exist");
  cmd->add_flag("--no-key", o->no_key,
                "send without a key, as the original system's producer (kafka-python) does");
  cmd->add_option("--kafka-property", o->kafka_properties,
                  "librdkafka producer property KEY=VALUE (repeatable)");
  cmd->add_option("-u,--users", o->users, "number of users")->capture_default_str();
  cmd->add_option("--seed", o->seed, "random seed: same seed, same stream")->capture_default_str();
  o->start_opt = cmd->add_option(
    "--start", o->start,
    "timestamp of the first simulated instant: epoch seconds or YYYY-MM-DD[THH:MM:SS] UTC "
    "(default: now minus the expected span, so the stream ends near now)");
  o->days_opt = cmd->add_option("--days", o->days, "simulated days to cover, then stop");
  cmd
    ->add_option("--time-scale", o->time_scale,
                 "simulated seconds per timestamp second: 7 puts a week of behaviour into a day")
    ->capture_default_str();
  cmd->add_option(
    "--fraud", o->fraud,
    "share of messages that are fraud, split evenly over the five types (default 0.005)");
  cmd->add_option(
    "--benign", o->benign,
    "share of messages that are benign surprises, split over the three (default 0.006)");
  cmd->add_option("--fraction", o->fractions,
                  "share of one type, TYPE=FRACTION (repeatable; after --fraud/--benign)");
  cmd
    ->add_option("--victim-history", o->victim_history,
                 "genuine transactions a user makes before fraud or surprises can touch them")
    ->capture_default_str();
  cmd->add_flag("-q,--quiet", o->quiet, "no progress line and no summary");
  return {cmd, [o, &g] { return run(*o, g); }};
}

} // namespace

RTAD_REGISTER_COMMAND("produce", make_produce);

} // namespace rtad::app
