#include "config/settings.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <toml++/toml.h>

extern char** environ;

namespace rtad::config {

namespace {

struct binding {
  key_info info;
  std::function<void(settings&, const std::string&)> set;
  std::function<std::string(const settings&)> get;
};

std::string env_name(const std::string& key) {
  std::string out = "RTAD_";
  for (char c : key)
    out += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

[[noreturn]] void bad(const std::string& key, const std::string& value, const std::string& why) {
  throw config_error(key + " = '" + value + "': " + why);
}

long long parse_int(const std::string& key, const std::string& v, long long lo, long long hi) {
  errno = 0;
  char* end = nullptr;
  auto x = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno == ERANGE)
    bad(key, v, "not an integer");
  if (x < lo || x > hi)
    bad(key, v, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return x;
}

double parse_double(const std::string& key, const std::string& v, double lo, double hi) {
  char* end = nullptr;
  auto x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0')
    bad(key, v, "not a number");
  if (!(x >= lo && x <= hi)) {
    std::ostringstream range;
    range << "must be between " << lo << " and " << hi;
    bad(key, v, range.str());
  }
  return x;
}

bool parse_bool(const std::string& key, const std::string& v) {
  if (v == "true" || v == "1" || v == "yes" || v == "on")
    return true;
  if (v == "false" || v == "0" || v == "no" || v == "off")
    return false;
  bad(key, v, "not a boolean (true/false)");
}

std::string show(double x) {
  std::ostringstream os;
  os << x;
  return os.str();
}

template <class Section, class T>
binding int_key(std::string key, Section settings::*sec, T Section::*m, long long lo, long long hi,
                std::string doc) {
  return {{key, env_name(key), std::move(doc), ""},
          [=](settings& s, const std::string& v) {
            (s.*sec).*m = static_cast<T>(parse_int(key, v, lo, hi));
          },
          [=](const settings& s) { return std::to_string((s.*sec).*m); }};
}

template <class Section>
binding double_key(std::string key, Section settings::*sec, double Section::*m, double lo,
                   double hi, std::string doc) {
  return {{key, env_name(key), std::move(doc), ""},
          [=](settings& s, const std::string& v) { (s.*sec).*m = parse_double(key, v, lo, hi); },
          [=](const settings& s) { return show((s.*sec).*m); }};
}

template <class Section>
binding bool_key(std::string key, Section settings::*sec, bool Section::*m, std::string doc) {
  return {{key, env_name(key), std::move(doc), ""},
          [=](settings& s, const std::string& v) { (s.*sec).*m = parse_bool(key, v); },
          [=](const settings& s) { return std::string((s.*sec).*m ? "true" : "false"); }};
}

template <class Section>
binding string_key(std::string key, Section settings::*sec, std::string Section::*m,
                   std::string doc, bool allow_empty = false) {
  return {{key, env_name(key), std::move(doc), "", true},
          [=](settings& s, const std::string& v) {
            if (v.empty() && !allow_empty)
              bad(key, v, "must not be empty");
            (s.*sec).*m = v;
          },
          [=](const settings& s) { return (s.*sec).*m; }};
}

template <class Section>
binding one_of_key(std::string key, Section settings::*sec, std::string Section::*m,
                   std::vector<std::string> allowed, std::string doc) {
  return {{key, env_name(key), std::move(doc), "", true},
          [=](settings& s, const std::string& v) {
            if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
              std::string list;
              for (const auto& a : allowed)
                list += (list.empty() ? "'" : ", '") + a + "'";
              bad(key, v, "must be one of " + list);
            }
            (s.*sec).*m = v;
          },
          [=](const settings& s) { return (s.*sec).*m; }};
}

std::vector<binding> make_bindings() {
  using S = settings;
  std::vector<binding> b{
    string_key("kafka.bootstrap", &S::kafka, &kafka_settings::bootstrap,
               "Kafka or Redpanda bootstrap servers, host:port[,host:port]"),
    string_key("kafka.topic", &S::kafka, &kafka_settings::topic, "topic of transactions"),
    string_key("kafka.group", &S::kafka, &kafka_settings::group,
               "consumer group shared by every node of a cluster"),
    int_key("kafka.batch_max", &S::kafka, &kafka_settings::batch_max, 1, 100000,
            "messages a source hands to the shards at once"),
    int_key("kafka.poll_timeout_ms", &S::kafka, &kafka_settings::poll_timeout_ms, 0, 10000,
            "longest time one poll may block a source"),
    int_key("kafka.credits", &S::kafka, &kafka_settings::credits, 1, 10000000,
            "transactions in flight per source before it stops polling (backpressure)"),
    int_key("kafka.credit_bytes", &S::kafka, &kafka_settings::credit_bytes, 1 << 20, 2147483647,
            "bytes of messages in flight per source before it stops polling: with large messages"
            " (a quarantined one keeps its bytes until stored) memory stays bounded too"),
    int_key("kafka.prefetch_kbytes", &S::kafka, &kafka_settings::prefetch_kbytes, 1, 2097151,
            "kilobytes of messages the consumer fetches ahead of the node (librdkafka's "
            "queued.max.messages.kbytes); the credit bounds what is in flight after that"),
    int_key("kafka.session_timeout_ms", &S::kafka, &kafka_settings::session_timeout_ms, 1000,
            300000, "a node that stops heartbeating (crash) loses its partitions after this"),
    int_key("kafka.revoke_timeout_ms", &S::kafka, &kafka_settings::revoke_timeout_ms, 1000, 240000,
            "the longest a revocation waits, while the group waits for it, for the sink to store"
            " what was read and for checkpoints; a sink that cannot (PostgreSQL wedged) stops"
            " the node, leaving the partitions to their next owner as a crash would, for its"
            " supervisor to restart"),
    int_key("kafka.handover_timeout_ms", &S::kafka, &kafka_settings::handover_timeout_ms, 1000,
            3600000,
            "with sink.store_all = false, the longest a node leaves a partition it was given"
            " unread while the old owner checkpoints the partition's profiles for it (a gone"
            " owner is not waited for); its users then restore from older checkpoints"),
    {{"kafka.input_key", env_name("kafka.input_key"),
      "what an input message's key is: user (the user id; scored straight from kafka.topic), "
      "none or auto (re-keyed by user_id through kafka.by_user_topic in a Kafka transaction, "
      "so each user is scored by one node whatever the producer did; auto also counts keys "
      "that differed): auto keeps each user on one node whatever the producer keys by; user "
      "saves the second stage when the producer keys by user id",
      "", true},
     [](settings& s, const std::string& v) {
       if (v == "user")
         s.kafka.key = input_key::user;
       else if (v == "none")
         s.kafka.key = input_key::none;
       else if (v == "auto")
         s.kafka.key = input_key::check;
       else
         bad("kafka.input_key", v, "must be 'user', 'none' or 'auto'");
     },
     [](const settings& s) {
       return std::string(s.kafka.key == input_key::user   ? "user"
                          : s.kafka.key == input_key::none ? "none"
                                                           : "auto");
     }},
    string_key("kafka.by_user_topic", &S::kafka, &kafka_settings::by_user_topic,
               "internal topic of re-keyed messages (created with kafka.topic's partition count"
               " when missing); empty: <kafka.topic>.by-user",
               true),
    int_key("kafka.repartition_batch", &S::kafka, &kafka_settings::repartition_batch, 1, 1000000,
            "most messages the repartition stage re-keys in one Kafka transaction"),
    bool_key("kafka.static_membership", &S::kafka, &kafka_settings::static_membership,
             "join the consumer groups as a static member (group.instance.id = node.name): a node"
             " back within kafka.session_timeout_ms gets its partitions again without a rebalance;"
             " but a stopped node's partitions then wait that long for another owner"),
    int_key("input.max_future_s", &S::input, &input_settings::max_future_s, 0, 30 * 86400,
            "seconds a transaction's timestamp may be ahead of the node's clock; further ahead "
            "it is quarantined (older ones, replays, are accepted)"),
    {{"input.unknown_fields", env_name("input.unknown_fields"),
      "fields the format does not know, top-level or nested: accept (ignored, counted in "
      "rtad_unknown_fields_total) or quarantine",
      "", true},
     [](settings& s, const std::string& v) {
       if (v == "accept")
         s.input.quarantine_unknown_fields = false;
       else if (v == "quarantine")
         s.input.quarantine_unknown_fields = true;
       else
         bad("input.unknown_fields", v, "must be 'accept' or 'quarantine'");
     },
     [](const settings& s) {
       return std::string(s.input.quarantine_unknown_fields ? "quarantine" : "accept");
     }},
    string_key("pg.url", &S::pg, &pg_settings::url,
               "PostgreSQL connection URL; put a password in ~/.pgpass or PGPASSWORD, not here"),
    int_key("pg.statement_timeout_ms", &S::pg, &pg_settings::statement_timeout_ms, 0, 3600000,
            "a node's statements end after this many milliseconds and are retried (a lock or a"
            " wedged server must not stall it for good); 0: never"),
    {{"node.mode", env_name("node.mode"),
      "standard (global forest, transaction features only) or "
      "enhanced (per-user forests blended with a global one)",
      "", true},
     [](settings& s, const std::string& v) {
       if (v == "standard")
         s.node.mode = detection_mode::standard;
       else if (v == "enhanced")
         s.node.mode = detection_mode::enhanced;
       else
         bad("node.mode", v, "must be 'standard' or 'enhanced'");
     },
     [](const settings& s) { return to_string(s.node.mode); }},
    string_key("node.name", &S::node, &node_settings::name,
               "unique id of this node; empty: host name and process id", true),
    int_key("node.shards", &S::node, &node_settings::shards, 1, 1024,
            "shard actors; each owns the profiles of hash(user) % shards"),
    int_key("node.shutdown_timeout_s", &S::node, &node_settings::shutdown_timeout_s, 1, 3600,
            "on SIGINT/SIGTERM the node hands over cleanly within this many seconds or exits"
            " anyway with code 3 (what it could not commit is read again by the partitions'"
            " next owner)"),
    int_key("node.silent_after_s", &S::node, &node_settings::silent_after_s, 1, 86400,
            "/healthz answers 503 when an essential actor (source, shard, sink, profile store,"
            " global model) has not answered a liveness ping for this many seconds; above"
            " pg.statement_timeout_ms and the longest rebalance, so that only a wedged actor"
            " trips it"),
    int_key("node.passivate_after_s", &S::node, &node_settings::passivate_after_s, 1, 86400 * 30,
            "idle seconds after which a profile checkpoints and leaves memory"),
    int_key("node.max_active_profiles", &S::node, &node_settings::max_active_profiles, 1, 100000000,
            "profiles kept in memory per node before the idlest are passivated"),
    string_key("node.admin_host", &S::node, &node_settings::admin_host,
               "address the admin actor listens on; loopback unless you mean to expose it"),
    string_key("node.admin_secret", &S::node, &node_settings::admin_secret,
               "shared secret every admin request must carry; put it in the environment, "
               "not in a file; empty: the admin refuses every request",
               true),
    int_key("node.admin_port", &S::node, &node_settings::admin_port, 0, 65535,
            "port of the admin actor; 0 disables it"),
    string_key("node.join", &S::node, &node_settings::join,
               "admin endpoints (host:port, comma-separated) of running nodes to join; the "
               "cluster's members are learnt from them; empty: start a cluster of one",
               true),
    string_key("node.metrics_host", &S::node, &node_settings::metrics_host,
               "address (IPv4 or IPv6) of /metrics, /healthz and /readyz; 0.0.0.0 or :: for"
               " Prometheus elsewhere"),
    int_key("node.metrics_port", &S::node, &node_settings::metrics_port, 0, 65535,
            "port of /metrics, /healthz and /readyz; 0 disables them"),
    string_key("admin.tls_certificate", &S::admin, &admin_settings::tls_certificate,
               "PEM certificate of this node or client for the admin channel (needs serverAuth "
               "and clientAuth usage); with tls_key and tls_cafile, TLS with verified "
               "certificates on both ends; all empty: plain, keep node.admin_host on loopback",
               true),
    string_key("admin.tls_key", &S::admin, &admin_settings::tls_key,
               "PEM private key of admin.tls_certificate", true),
    string_key("admin.tls_passphrase", &S::admin, &admin_settings::tls_passphrase,
               "passphrase of an encrypted admin.tls_key; put it in the environment", true),
    string_key("admin.tls_cafile", &S::admin, &admin_settings::tls_cafile,
               "PEM file of the CA whose certificates the admin channel accepts; use a CA of "
               "its own (host names are not checked)",
               true),
    int_key("model.user_trees", &S::model, &model_settings::user_trees, 1, 1000,
            "trees of each user's forest"),
    int_key("model.user_sample_size", &S::model, &model_settings::user_sample_size, 4, 4096,
            "sub-sample size (psi) of each user tree"),
    int_key("model.window", &S::model, &model_settings::window, 8, 65536,
            "recent normal transactions a user model keeps and learns from"),
    int_key("model.refit_every", &S::model, &model_settings::refit_every, 1, 65536,
            "new transactions between incremental refits of the oldest trees"),
    int_key("model.min_history", &S::model, &model_settings::min_history, 2, 65536,
            "transactions a user needs before its own forest has a say"),
    int_key("model.global_trees", &S::model, &model_settings::global_trees, 1, 10000,
            "trees of the global forest"),
    int_key("model.global_sample_size", &S::model, &model_settings::global_sample_size, 4, 65536,
            "sub-sample size (psi) of each global tree"),
    int_key("model.global_window", &S::model, &model_settings::global_window, 16, 10000000,
            "population transactions the global forest learns from"),
    int_key("model.epoch_offsets", &S::model, &model_settings::epoch_offsets, 16, 1000000,
            "most offsets of a partition per epoch (the first are 256, then an eighth of the"
            " partition's offsets): a transaction is scored with the population model as it was"
            " one to two epochs earlier (smaller: fresher; larger: a node runs further ahead of"
            " its commits)"),
    int_key("model.epoch_seconds", &S::model, &model_settings::epoch_seconds, 0, 100000000,
            "every this many seconds of a partition's event time begin another epoch too, so"
            " that on quiet traffic the population model is at most two such periods old (0:"
            " epochs by offset only)"),
    double_key("model.threshold_quantile", &S::model, &model_settings::threshold_quantile, 0.5,
               0.99999, "each model flags scores above this quantile of its own scores"),
    double_key(
      "model.threshold_floor", &S::model, &model_settings::threshold_floor, 0.0, 1.0,
      "no model flags a score below this (scores are ranks among all users' recent transactions)"),
    double_key("model.risk_medium_factor", &S::model, &model_settings::risk_medium_factor, 1.0, 1e6,
               "an anomaly's risk is medium when 1 - score is this many times below 1 - threshold"),
    double_key("model.risk_high_factor", &S::model, &model_settings::risk_high_factor, 1.0, 1e6,
               "... and high from this many times"),
    double_key("model.max_user_weight", &S::model, &model_settings::max_user_weight, 0.0, 1.0,
               "share of a user's own forest in the blended score once its window is full"),
    int_key("model.seed", &S::model, &model_settings::seed, 0,
            std::numeric_limits<long long>::max(), "random seed; same seed, same models"),
    int_key("sink.writers", &S::sink, &sink_settings::writers, 1, 64,
            "PostgreSQL connections writing at the same time; each owns the partitions whose "
            "number modulo this is its own, so a partition's rows and offsets commit in order"),
    int_key("sink.batch_rows", &S::sink, &sink_settings::batch_rows, 1, 1000000,
            "rows per PostgreSQL transaction"),
    int_key("sink.flush_interval_ms", &S::sink, &sink_settings::flush_interval_ms, 0, 60000,
            "how long an idle writer waits to gather a batch; 0: write as soon as the messages "
            "already waiting are in (a busy writer batches what arrived during its last write)"),
    int_key("sink.retry_max_backoff_ms", &S::sink, &sink_settings::retry_max_backoff_ms, 10, 600000,
            "longest wait between retries while PostgreSQL is away"),
    bool_key("sink.store_all", &S::sink, &sink_settings::store_all,
             "store every scored transaction, not only the anomalies"),
    int_key("sink.stuck_after_s", &S::sink, &sink_settings::stuck_after_s, 1, 86400,
            "/readyz answers 503 when a writer with work has not committed for this many seconds"),
    int_key("sink.retention_days", &S::sink, &sink_settings::retention_days, 1, 36500,
            "days of scored transactions kept"),
    one_of_key("log.level", &S::log, &log_settings::level, {"debug", "info", "warn", "error"},
               "lines below this severity are not written"),
    one_of_key("log.format", &S::log, &log_settings::format, {"text", "json"},
               "text (time level component message key=value ...) or json (one object per line,"
               " each key=value a member), on stderr; librdkafka's own lines too"),
    string_key("output.anomalies_topic", &S::output, &output_settings::anomalies_topic,
               "topic that gets one JSON message per stored anomaly, keyed by user, at least"
               " once (created with kafka.topic's partition count when missing); {topic} stands"
               " for kafka.topic; empty: none",
               true),
    string_key("output.quarantine_topic", &S::output, &output_settings::quarantine_topic,
               "dead-letter topic: each quarantined message as it came (key and bytes) with"
               " headers rtad-reason and rtad-origin (partition offset topic), at least once;"
               " {topic} stands for kafka.topic; empty: none",
               true),
  };
  settings defaults;
  for (auto& x : b)
    x.info.default_value = x.get(defaults);
  return b;
}

const std::vector<binding>& bindings() {
  static const auto b = make_bindings();
  return b;
}

constexpr std::string_view property_prefix = "kafka.properties.";
constexpr std::string_view property_env_prefix = "RTAD_KAFKA_PROPERTY_";

/// kafka.properties.<name> = value; false when `key` is no such key.
bool set_property(settings& s, const std::string& key, const std::string& value) {
  if (key.rfind(property_prefix, 0) != 0)
    return false;
  auto name = key.substr(property_prefix.size());
  if (name.empty())
    bad(key, value, "names no librdkafka property (kafka.properties.<name>)");
  const auto& reserved = reserved_kafka_properties();
  if (std::find(reserved.begin(), reserved.end(), name) != reserved.end())
    bad(key, value, "rtad sets " + name + " itself (see `rtad config keys`)");
  s.kafka.properties[name] = value;
  return true;
}

const binding& find(const std::string& key) {
  for (const auto& b : bindings())
    if (b.info.key == key)
      return b;
  throw config_error("unknown setting '" + key + "' (see config/rtad.example.toml)");
}

void apply_file(settings& s, const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << path << ":" << e.source().begin.line << ": " << e.description();
    throw config_error(os.str());
  }
  for (const auto& [section, node] : root) {
    const auto* table = node.as_table();
    if (!table)
      throw config_error(path + ": '" + std::string(section.str()) + "' must be a [section]");
    // [kafka.properties] with quoted names: "sasl.mechanism" = "PLAIN".
    std::vector<std::pair<std::string, const toml::node*>> entries;
    for (const auto& [name, value] : *table) {
      auto key = std::string(section.str()) + "." + std::string(name.str());
      if (const auto* nested = value.as_table(); nested && key + "." == property_prefix) {
        for (const auto& [pname, pvalue] : *nested)
          entries.emplace_back(key + "." + std::string(pname.str()), &pvalue);
      } else {
        entries.emplace_back(key, &value);
      }
    }
    for (const auto& [key, value_ptr] : entries) {
      const auto& value = *value_ptr;
      std::string text;
      if (auto v = value.value<std::string>(); v && value.is_string())
        text = *v;
      else if (value.is_integer())
        text = std::to_string(*value.value<long long>());
      else if (value.is_floating_point())
        text = show(*value.value<double>());
      else if (value.is_boolean())
        text = *value.value<bool>() ? "true" : "false";
      else
        throw config_error(path + ": " + key + " must be a string, number or boolean");
      try {
        if (!set_property(s, key, text))
          find(key).set(s, text);
      } catch (const config_error& e) {
        throw config_error(path + ": " + e.what());
      }
    }
  }
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    if (kv.rfind("RTAD_", 0) != 0)
      continue;
    auto eq = kv.find('=');
    if (eq != std::string::npos)
      env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

void apply_env(settings& s, const std::map<std::string, std::string>& env,
               const std::string& layer) {
  // RTAD_KAFKA_PROPERTY_SASL_MECHANISM=PLAIN is kafka.properties.sasl.mechanism.
  for (const auto& [k, v] : env)
    if (k.rfind(property_env_prefix, 0) == 0) {
      auto name = k.substr(property_env_prefix.size());
      for (auto& c : name)
        c = c == '_' ? '.' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      try {
        set_property(s, std::string(property_prefix) + name, v);
      } catch (const config_error& e) {
        throw config_error(layer + " " + k + ": " + e.what());
      }
    }
  for (const auto& b : bindings()) {
    auto it = env.find(b.info.env);
    if (it == env.end())
      continue;
    try {
      b.set(s, it->second);
    } catch (const config_error& e) {
      throw config_error(layer + " " + b.info.env + ": " + e.what());
    }
  }
}

} // namespace

std::string by_user_topic(const settings& s) {
  return s.kafka.by_user_topic.empty() ? s.kafka.topic + ".by-user" : s.kafka.by_user_topic;
}

namespace {

/// `t` with each "{topic}" replaced by kafka.topic.
std::string with_topic(std::string t, const settings& s) {
  const std::string mark = "{topic}";
  for (auto at = t.find(mark); at != std::string::npos;
       at = t.find(mark, at + s.kafka.topic.size()))
    t.replace(at, mark.size(), s.kafka.topic);
  return t;
}

} // namespace

std::string anomalies_topic(const settings& s) {
  return with_topic(s.output.anomalies_topic, s);
}

std::string quarantine_topic(const settings& s) {
  return with_topic(s.output.quarantine_topic, s);
}

std::string scoring_topic(const settings& s) {
  return s.kafka.key == input_key::user ? s.kafka.topic : by_user_topic(s);
}

std::string to_string(detection_mode m) {
  return m == detection_mode::standard ? "standard" : "enhanced";
}

const std::vector<key_info>& keys() {
  static const auto k = [] {
    std::vector<key_info> out;
    for (const auto& b : bindings())
      out.push_back(b.info);
    return out;
  }();
  return k;
}

void set(settings& s, const std::string& key, const std::string& value) {
  if (!set_property(s, key, value))
    find(key).set(s, value);
}

std::string get(const settings& s, const std::string& key) {
  if (key.rfind(property_prefix, 0) == 0) {
    auto it = s.kafka.properties.find(key.substr(property_prefix.size()));
    if (it == s.kafka.properties.end())
      throw config_error("kafka property '" + key + "' is not set");
    return it->second;
  }
  return find(key).get(s);
}

const std::vector<std::string>& reserved_kafka_properties() {
  static const std::vector<std::string> names{
    "bootstrap.servers",  // kafka.bootstrap
    "group.id",           // kafka.group
    "group.instance.id",  // kafka.static_membership
    "enable.auto.commit", // offsets live in PostgreSQL or travel in transactions
    "enable.auto.offset.store",
    "isolation.level",               // the scoring stage reads committed messages only
    "transactional.id",              // one per node, for the repartition stage's fencing
    "partition.assignment.strategy", // eager: cooperative-sticky crashes in librdkafka 2.0.2
    "enable.partition.eof",          // an idle partition must not hold the global model back
    "rebalance_cb",
  };
  return names;
}

void validate(const settings& s) {
  if (s.model.user_sample_size > s.model.window)
    throw config_error("model.user_sample_size (" + std::to_string(s.model.user_sample_size) +
                       ") must not exceed model.window (" + std::to_string(s.model.window) + ")");
  if (s.model.min_history > s.model.window)
    throw config_error("model.min_history must not exceed model.window");
  if (s.model.risk_high_factor < s.model.risk_medium_factor)
    throw config_error("model.risk_high_factor must not be below model.risk_medium_factor");
  if (s.model.global_sample_size > s.model.global_window)
    throw config_error("model.global_sample_size must not exceed model.global_window");
  if (s.kafka.static_membership && s.node.name.empty())
    throw config_error("kafka.static_membership needs node.name: a static member is known by a"
                       " name that outlives the process");
  for (const auto& [key, t] : {std::pair{"output.anomalies_topic", anomalies_topic(s)},
                               std::pair{"output.quarantine_topic", quarantine_topic(s)}})
    if (!t.empty() && (t == s.kafka.topic || t == scoring_topic(s)))
      throw config_error(std::string(key) + " must differ from the topics rtad reads ('" + t +
                         "')");
  if (!anomalies_topic(s).empty() && anomalies_topic(s) == quarantine_topic(s))
    throw config_error("output.anomalies_topic and output.quarantine_topic must differ");
  if (s.kafka.key != input_key::user && by_user_topic(s) == s.kafka.topic)
    throw config_error("kafka.by_user_topic must differ from kafka.topic (it is written from it)");
  if (s.pg.url.rfind("postgresql://", 0) != 0 && s.pg.url.rfind("postgres://", 0) != 0 &&
      s.pg.url.find('=') == std::string::npos)
    throw config_error("pg.url = '" + s.pg.url +
                       "': expected postgresql://user@host:port/db or key=value pairs");
  join_endpoints(s); // throws on a bad one
  if (!s.node.join.empty() && s.node.admin_port == 0)
    throw config_error("node.join needs the admin actor (node.admin_port > 0): members talk "
                       "through it");
  // Never CAF's anonymous TLS: it encrypts but authenticates nobody.
  const auto& a = s.admin;
  bool any = !a.tls_certificate.empty() || !a.tls_key.empty() || !a.tls_cafile.empty() ||
             !a.tls_passphrase.empty();
  bool all = !a.tls_certificate.empty() && !a.tls_key.empty() && !a.tls_cafile.empty();
  if (any && !all)
    throw config_error("admin TLS needs admin.tls_certificate, admin.tls_key and "
                       "admin.tls_cafile together (missing:" +
                       std::string(a.tls_certificate.empty() ? " admin.tls_certificate" : "") +
                       (a.tls_key.empty() ? " admin.tls_key" : "") +
                       (a.tls_cafile.empty() ? " admin.tls_cafile" : "") + ")");
}

std::optional<std::pair<std::string, std::uint16_t>> parse_endpoint(const std::string& endpoint) {
  auto colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == endpoint.size())
    return std::nullopt;
  auto digits = endpoint.substr(colon + 1);
  if (digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  auto port = std::stoi(digits);
  if (port < 1 || port > 65535)
    return std::nullopt;
  return std::make_pair(endpoint.substr(0, colon), static_cast<std::uint16_t>(port));
}

std::vector<std::string> join_endpoints(const settings& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.node.join.size()) {
    auto end = s.node.join.find(',', start);
    if (end == std::string::npos)
      end = s.node.join.size();
    auto e = s.node.join.substr(start, end - start);
    e.erase(0, e.find_first_not_of(' '));
    e.erase(e.find_last_not_of(' ') + 1);
    if (!e.empty()) {
      if (!parse_endpoint(e))
        throw config_error("node.join = '" + s.node.join + "': '" + e +
                           "' is not HOST:PORT (the admin endpoint of a running node)");
      out.push_back(e);
    }
    start = end + 1;
  }
  return out;
}

std::map<std::string, std::string> parse_env_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw config_error("cannot read " + path);
  std::map<std::string, std::string> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#')
      continue;
    auto eq = line.find('=');
    if (eq == std::string::npos)
      throw config_error(path + ":" + std::to_string(n) + ": expected KEY=value");
    auto key = line.substr(first, eq - first);
    auto value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    out[key] = value;
  }
  return out;
}

std::optional<std::string> find_services_env() {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (auto dir = fs::current_path(ec); !ec && !dir.empty(); dir = dir.parent_path()) {
    auto candidate = dir / ".rtad" / "services.env";
    if (fs::exists(candidate, ec))
      return candidate.string();
    if (dir == dir.root_path())
      break;
  }
  return std::nullopt;
}

settings load(const sources& src) {
  settings s;
  auto env = src.environment;
  if (src.read_process_environment)
    for (auto& [k, v] : process_environment())
      env.emplace(k, v);
  std::optional<std::string> services = src.services_env;
  if (!services) {
    if (auto it = env.find("RTAD_SERVICES_ENV"); it != env.end())
      services = it->second;
    else
      services = find_services_env();
  }
  if (services && !services->empty())
    apply_env(s, parse_env_file(*services), *services + ":");
  std::optional<std::string> file = src.file;
  if (!file)
    if (auto it = env.find("RTAD_CONFIG"); it != env.end() && !it->second.empty())
      file = it->second;
  if (file)
    apply_file(s, *file);
  apply_env(s, env, "environment");
  for (const auto& [k, v] : src.overrides) {
    try {
      set(s, k, v);
    } catch (const config_error& e) {
      throw config_error(std::string("command line: ") + e.what());
    }
  }
  validate(s);
  return s;
}

} // namespace rtad::config
