#include "actors/detail/metrics.hpp"

#include <algorithm>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <sstream>
#include <unistd.h>

namespace rtad {

namespace {

/// A label value as the exposition format wants it: backslash, double quote
/// and line feed escaped (a node name is the operator's choice).
std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::int64_t steady_ns() {
  return std::chrono::steady_clock::now().time_since_epoch().count();
}

/// The standard process metrics of Prometheus's client libraries (CPU,
/// memory, file descriptors, start time), from /proc/self; nothing where
/// /proc cannot be read.
void process_metrics(std::ostream& os, const std::string& labels) {
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  auto close = stat.rfind(')'); // the command name may hold spaces
  if (close == std::string::npos)
    return;
  std::istringstream fields(stat.substr(close + 2));
  std::vector<std::string> f{std::istream_iterator<std::string>(fields), {}};
  // Fields from the state (3rd in proc(5)): utime 14th, stime 15th,
  // starttime 22nd, vsize 23rd, rss 24th.
  auto at = [&](std::size_t n) { return f.size() > n - 3 ? std::stod(f[n - 3]) : 0.0; };
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  double boot = 0;
  std::ifstream boot_file("/proc/stat");
  for (std::string line; std::getline(boot_file, line);)
    if (line.rfind("btime ", 0) == 0)
      boot = std::stod(line.substr(6));
  std::size_t fds = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d))
      ++fds;
    closedir(d);
    fds -= std::min<std::size_t>(fds, 3); // ".", ".." and the one reading it
  }
  auto put = [&](const char* name, const char* type, const char* help, double value) {
    os << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n'
       << name << '{' << labels << "} " << std::fixed << value << std::defaultfloat << '\n';
  };
  put("process_cpu_seconds_total", "counter", "User and system CPU time of the process.",
      (at(14) + at(15)) / ticks);
  put("process_resident_memory_bytes", "gauge", "Resident memory size.", at(24) * page);
  put("process_virtual_memory_bytes", "gauge", "Virtual memory size.", at(23));
  put("process_start_time_seconds", "gauge", "Start time of the process since the epoch.",
      boot + at(22) / ticks);
  put("process_open_fds", "gauge", "Open file descriptors.", static_cast<double>(fds));
}

} // namespace

void node_metrics::answered(const std::string& actor) {
  std::lock_guard<std::mutex> guard(mutex_);
  for (auto& [name, at] : answered_at_)
    if (name == actor) {
      at = steady_ns();
      return;
    }
  answered_at_.emplace_back(actor, steady_ns());
}

std::vector<std::pair<std::string, double>> node_metrics::silences() const {
  std::lock_guard<std::mutex> guard(mutex_);
  std::vector<std::pair<std::string, double>> out;
  auto now = steady_ns();
  for (const auto& [name, at] : answered_at_)
    out.emplace_back(name, static_cast<double>(now - at) / 1e9);
  return out;
}

std::vector<std::pair<std::string, double>> node_metrics::wedged() const {
  auto out = silences();
  auto limit = static_cast<double>(silent_after.count());
  out.erase(
    std::remove_if(out.begin(), out.end(), [&](const auto& s) { return s.second <= limit; }),
    out.end());
  return out;
}

std::string node_metrics::prometheus(const std::string& node) const {
  std::ostringstream os;
  const auto label = label_value(node);
  auto put = [&](const char* name, const char* type, const char* help, auto value) {
    os << "# HELP rtad_" << name << ' ' << help << "\n# TYPE rtad_" << name << ' ' << type
       << "\nrtad_" << name << "{node=\"" << label << "\"} " << value << '\n';
  };
  put("transactions_consumed_total", "counter", "Messages read from Kafka.", consumed.load());
  put("transactions_scored_total", "counter", "Transactions scored.", scored.load());
  os << "# HELP rtad_anomalies_total Transactions flagged as anomalies, by risk.\n"
        "# TYPE rtad_anomalies_total counter\n";
  const char* risks[] = {"low", "medium", "high"};
  for (int r = 0; r < 3; ++r)
    os << "rtad_anomalies_total{node=\"" << label << "\",risk=\"" << risks[r] << "\"} "
       << flagged_by_risk[r].load() << '\n';
  put("quarantined_total", "counter", "Messages refused and quarantined.", quarantined.load());
  put("unknown_fields_total", "counter",
      "Fields the wire format does not know (top-level or nested) in accepted messages: ignored "
      "(input.unknown_fields = quarantine refuses them).",
      unknown_fields.load());
  put("duplicates_total", "counter",
      "Transactions whose id their user sent shortly before (a producer's retry): neither scored, "
      "stored nor learnt again; the first verdict stands.",
      duplicates.load());
  put("stored_rows_total", "counter", "Results committed to PostgreSQL.", stored_rows.load());
  put("fenced_total", "counter",
      "Rows and quarantined messages not written because another node claimed their partition"
      " meanwhile (this node was stopped, cut off or evicted): left to the new owner.",
      fenced.load());
  put("handovers_expired_total", "counter",
      "Partitions read before their old owner handed their profiles over (sink.store_all ="
      " false): it was gone or overran kafka.handover_timeout_ms; their users restored from"
      " older checkpoints.",
      handovers_expired.load());
  put("sink_batches_total", "counter", "Batches committed by the sink.", sink_batches.load());
  put("sink_batch_rows", "gauge", "Rows in the last committed batch.", sink_batch_rows_last.load());
  put("sink_batch_seconds_total", "counter", "Time spent writing batches.",
      static_cast<double>(sink_batch_us_total.load()) / 1e6);
  put("sink_batch_seconds", "gauge", "Duration of the last batch write.",
      static_cast<double>(sink_batch_us_last.load()) / 1e6);
  const auto labels = "node=\"" + label + "\"";
  latency.write(os, "rtad_end_to_end_latency_seconds",
                "Time from a transaction's Kafka message timestamp (of the topic the profiles"
                " read) to its row committed in PostgreSQL.",
                labels);
  sink_write.write(os, "rtad_sink_write_seconds", "Duration of one sink transaction.", labels);
  scoring.write(os, "rtad_scoring_seconds",
                "Time to score one transaction in its profile (features, models, explanation).",
                labels);
  put("sink_errors_total", "counter", "Failed batch writes (retried).", sink_errors.load());
  put("sink_buffered", "gauge", "Results waiting to be written.", sink_buffered.load());
  put("sink_stalled_seconds", "gauge",
      "How long the sink lane stuck longest has had work without committing (0: all moving).",
      sink_stalled_seconds());
  os << "# HELP rtad_actor_silent_seconds Seconds since an essential actor last answered a"
        " liveness ping (pinged every second; /healthz says 503 past node.silent_after_s).\n"
        "# TYPE rtad_actor_silent_seconds gauge\n";
  for (const auto& [actor, seconds] : silences())
    os << "rtad_actor_silent_seconds{node=\"" << label << "\",actor=\"" << label_value(actor)
       << "\"} " << seconds << '\n';
  put("in_flight", "gauge", "Transactions handed on and not yet stored (credit used).",
      in_flight.load());
  put("in_flight_bytes", "gauge",
      "Bytes of the messages handed on and not yet stored (kafka.credit_bytes bounds them).",
      in_flight_bytes.load());
  put("credit_waits_total", "counter", "Times a source paused for lack of credit.",
      credit_waits.load());
  put("epoch_waits_expired_total", "counter",
      "Transactions that waited longer than the shard's epoch wait for their epoch's model and were"
      " scored with the newest (their score may differ from run to run).",
      epoch_waits_expired.load());
  put("assigned_partitions", "gauge", "Partitions of the scored topic assigned to this node.",
      partitions().size());
  put("ready", "gauge",
      "1 once the node has partitions assigned and runs (one of the conditions of /readyz).",
      ready.load() ? 1 : 0);
  put("consumer_lag", "gauge", "Messages behind the end of the assigned partitions.",
      consumer_lag.load());
  put("repartitioned_total", "counter",
      "Input messages the repartition stage re-keyed by user into the by-user topic"
      " (kafka.input_key auto or none), committed.",
      repartitioned.load());
  put("rekeyed_total", "counter",
      "Of those, messages whose key was not their user id (kafka.input_key = auto).",
      rekeyed.load());
  put("input_not_keyed_by_user_total", "counter",
      "Transactions read straight from kafka.topic (kafka.input_key = user) whose key was not"
      " their user id: with several nodes, such a user is scored by each (set"
      " kafka.input_key = auto).",
      not_keyed_by_user.load());
  put("repartition_aborts_total", "counter",
      "Repartition transactions aborted (broker away, rebalance, fenced); their messages are"
      " read again.",
      repartition_aborts.load());
  put("repartition_lag", "gauge",
      "Input messages behind the end of the partitions the repartition stage reads.",
      repartition_lag.load());
  // Each outbox's publisher: the same four figures under its own names.
  auto outbox = [&](const outbox_metrics& o, const std::string& published,
                    const std::string& prefix, const std::string& what, const std::string& topic) {
    put((published + "_published_total").c_str(), "counter",
        (what + " the " + topic + " acknowledged (at least once).").c_str(), o.published.load());
    put((published + "_set_aside_total").c_str(), "counter",
        (what + " the " + topic + " refused for good (too large), logged, not sent again.").c_str(),
        o.set_aside.load());
    put((prefix + "_publish_failures_total").c_str(), "counter",
        ("Publisher rounds for the " + topic +
         " that failed (broker or PostgreSQL away);"
         " what they held is sent again.")
          .c_str(),
        o.failures.load());
    put((prefix + "_outbox_age_seconds").c_str(), "gauge",
        ("Age of the oldest entry for the " + topic +
         " not yet published, as this node's"
         " publisher last saw it.")
          .c_str(),
        static_cast<double>(o.age_ms.load()) / 1000.0);
  };
  outbox(anomaly_outbox, "anomalies", "anomaly", "Anomalies",
         "anomalies topic (output.anomalies_topic)");
  outbox(quarantine_outbox, "quarantine", "quarantine", "Quarantined messages",
         "quarantine topic (output.quarantine_topic)");
  put("active_profiles", "gauge", "Profiles in memory.", active_profiles.load());
  put("profile_memory_bytes", "gauge", "Approximate heap bytes of the profiles in memory.",
      profile_memory_bytes.load());
  put("profile_restores_total", "counter", "Profiles brought back to memory.", restores.load());
  put("profile_restore_queries_total", "counter",
      "Batches of profiles read back from PostgreSQL (at most 512 users each).",
      restore_queries.load());
  put("passivations_total", "counter", "Profiles checkpointed and removed from memory.",
      passivations.load());
  put("checkpoints_total", "counter", "Profile checkpoints committed.", checkpoints.load());
  put("labels_applied_total", "counter", "Analyst labels applied to profiles.",
      labels_applied.load());
  put("rebalances_total", "counter", "Consumer group rebalances.", rebalances.load());
  put("last_rebalance_seconds", "gauge", "Duration of the last hand-over.",
      static_cast<double>(last_rebalance_ms.load()) / 1e3);
  put("global_model_version", "gauge", "Refits of the global forest.", global_model_version.load());
  put("resident_memory_bytes", "gauge", "Resident set size of the node process.",
      resident_bytes.load());
  put("heap_released_bytes_total", "counter",
      "Freed heap memory handed back to the operating system by periodic trims.",
      heap_released_bytes.load());
  put("database_up", "gauge", "1 while PostgreSQL accepts writes.", db_available.load() ? 1 : 0);
  os << "# HELP rtad_build_info The rtad version this node runs (always 1).\n"
        "# TYPE rtad_build_info gauge\nrtad_build_info{node=\""
     << label << "\",version=\"" << RTAD_VERSION << "\"} 1\n";
  process_metrics(os, "node=\"" + label + "\"");
  return os.str();
}

} // namespace rtad
