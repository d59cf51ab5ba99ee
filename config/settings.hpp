#pragma once

#include "config/defaults.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace rtad::config {

/// Detection mode, as the original system had them.
enum class detection_mode {
  standard, ///< one global forest over the transaction's own features
  enhanced, ///< per-user forests over user-relative features, blended with a global forest
};

/// What the key of an input message says (kafka.input_key).
enum class input_key {
  user,  ///< the user id: the input topic keeps each user in one partition; scored as it is
  none,  ///< nothing: every message is re-keyed by its user through the by-user topic
  check, ///< "auto": re-keyed through the by-user topic, counting keys that differed
};

/// Where transactions come from.
struct kafka_settings {
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic = "transactions";
  std::string group = "rtad";
  /// Messages handed to shards per batch
  int batch_max = defaults::kafka::batch_max;
  /// How long one poll may block the source
  int poll_timeout_ms = defaults::kafka::poll_timeout_ms;
  /// Transactions in flight per source before it stops polling
  int credits = defaults::kafka::credits;
  /// ... or bytes of messages in flight
  int credit_bytes = defaults::kafka::credit_bytes;
  /// A silent node loses its partitions after this
  int session_timeout_ms = defaults::kafka::session_timeout_ms;
  /// A hand-over that cannot store in this stops the node
  int revoke_timeout_ms = defaults::kafka::revoke_timeout_ms;
  /// Longest wait for an old owner's profiles (store_all off)
  int handover_timeout_ms = defaults::kafka::handover_timeout_ms;
  /// Messages the consumer fetches ahead, at most
  int prefetch_kbytes = defaults::kafka::prefetch_kbytes;
  /// kafka.input_key. auto by default: an unkeyed producer (the original
  /// system's) needs nothing set; `user` saves a keyed producer's cluster the
  /// second stage (README, Cluster).
  input_key key = input_key::check;
  std::string by_user_topic; ///< empty: <topic>.by-user
  /// Most messages re-keyed in one Kafka transaction
  int repartition_batch = defaults::kafka::repartition_batch;
  bool static_membership = false; ///< group.instance.id = node.name: a quick restart moves nothing
  /// kafka.properties.<name>: librdkafka properties for every Kafka client
  /// rtad makes (SASL, SSL, client.id, ...), applied after rtad's own.
  std::map<std::string, std::string> properties;
};

/// librdkafka properties rtad sets itself and a user may not override
/// through kafka.properties (exactly-once and the offsets depend on them).
const std::vector<std::string>& reserved_kafka_properties();

/// What a node accepts from its sources.
struct input_settings {
  /// Timestamps further ahead of the node's clock: quarantined
  int max_future_s = defaults::input::max_future_s;
  /// Input.unknown_fields: accept (counted) or quarantine
  bool quarantine_unknown_fields = defaults::input::quarantine_unknown_fields;
};

/// Where results go.
struct pg_settings {
  std::string url = "postgresql://rtad@127.0.0.1:5432/rtad";
  int statement_timeout_ms = 30000; ///< a node's statements end after this (0: never)
};

/// The detection models.
struct model_settings {
  int user_trees = 50;
  int user_sample_size = 64;
  int window = 256;     ///< recent normal transactions a user model learns from
  int refit_every = 32; ///< transactions between incremental refits
  int min_history = 30; ///< below this, the global model decides alone
  int global_trees = 100;
  int global_sample_size = 1024;
  /// Population rows the global model learns from
  int global_window = defaults::model::global_window;
  int epoch_offsets = 4096;  ///< most offsets of a partition per epoch (models/epoch_model.hpp)
  int epoch_seconds = 86400; ///< ... and another epoch per this much event time (0: none)
  // Scores are ranks among all users' recent transactions (models/population.hpp):
  // a floor of 0.998 flags at most the top 0.2 % of what looks like everyday traffic.
  double threshold_quantile = 0.99; ///< a model flags scores above this quantile of its own
  double threshold_floor = 0.998;   ///< ... but never below this global floor
  double risk_medium_factor = 3;    ///< risk is medium from a tail 3x thinner than the threshold's
  double risk_high_factor = 8;      ///< ... and high from 8x
  double max_user_weight = 0.5;     ///< share of a user's own forest in its blended score, at most
  std::uint64_t seed = 42;
};

/// The batching PostgreSQL sink.
struct sink_settings {
  /// PostgreSQL connections writing at once (partitions split among them)
  int writers = defaults::sink::writers;
  int batch_rows = defaults::sink::batch_rows;
  /// 0: a free writer writes what is there (group commit)
  int flush_interval_ms = defaults::sink::flush_interval_ms;
  int retry_max_backoff_ms = defaults::sink::retry_max_backoff_ms;
  /// Store every scored transaction, not only anomalies
  bool store_all = defaults::sink::store_all;
  /// Partitions of `transactions` older than this are dropped
  int retention_days = defaults::sink::retention_days;
  int stuck_after_s = 60; ///< /readyz: 503 once a lane with work went this long uncommitted
};

/// What rtad writes about itself (stderr).
struct log_settings {
  std::string level = "info";  ///< debug, info, warn, error
  std::string format = "text"; ///< text or json
};

/// What a node publishes to Kafka besides PostgreSQL.
struct output_settings {
  /// One message per stored anomaly; empty: none. "{topic}" stands for kafka.topic.
  std::string anomalies_topic = "{topic}.anomalies";
  /// Each quarantined message as it came, with its reason; empty: none.
  std::string quarantine_topic;
};

/// The node process.
struct node_settings {
  std::string name; ///< unique node id; empty: host name and pid
  detection_mode mode = detection_mode::enhanced;
  int shards = 4;
  /// Idle profiles checkpoint and leave memory
  int passivate_after_s = defaults::node::passivate_after_s;
  int shutdown_timeout_s = 30;      ///< SIGTERM ends the process within this, whatever hangs
  int silent_after_s = 120;         ///< /healthz: 503 once an essential actor is this long silent
  int max_active_profiles = 200000; ///< memory budget per node, in profiles
  std::string admin_host = "127.0.0.1";
  int admin_port = 4242;
  std::string admin_secret; ///< every admin request must carry it; empty: admin refuses all
  std::string join;         ///< host:port[,host:port...] of members' admin actors to join
  std::string metrics_host = "127.0.0.1";
  int metrics_port = 9464;
};

/// TLS of the admin channel (CAF's OpenSSL module). Either every file is set,
/// and both ends require and verify the peer's certificate, or none is, and
/// the channel is plain: then keep node.admin_host on loopback.
struct admin_settings {
  std::string tls_certificate; ///< PEM certificate (chain) of this process
  std::string tls_key;         ///< PEM private key of tls_certificate
  std::string tls_passphrase;  ///< opens tls_key when it is encrypted
  std::string tls_cafile;      ///< PEM CA certificates a peer's certificate must come from

  /// True when the admin channel uses TLS.
  bool tls() const { return !tls_certificate.empty(); }
};

/// Every setting of rtad. Loaded by `load`, never parsed elsewhere.
struct settings {
  kafka_settings kafka;
  input_settings input;
  pg_settings pg;
  model_settings model;
  sink_settings sink;
  log_settings log;
  output_settings output;
  node_settings node;
  admin_settings admin;
};

/// A setting that was given a value it cannot take.
struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One documented key: `kafka.bootstrap`, environment `RTAD_KAFKA_BOOTSTRAP`.
struct key_info {
  std::string key;
  std::string env;
  std::string doc;
  std::string default_value;
  bool is_text = false; ///< written quoted in TOML
};

/// Every key, in the order of the example configuration.
const std::vector<key_info>& keys();

/// Where each layer comes from; empty members mean "look in the usual place".
struct sources {
  /// Default: $RTAD_SERVICES_ENV, else .rtad/services.env upward from the working folder.
  std::optional<std::string> services_env;
  std::optional<std::string> file; ///< default: $RTAD_CONFIG
  /// RTAD_* variables (filled from the process if not given).
  std::map<std::string, std::string> environment;
  bool read_process_environment = true;
  std::vector<std::pair<std::string, std::string>> overrides; ///< key=value from the command line
};

/// Defaults, then services.env, then the file, then RTAD_* environment, then
/// overrides. Throws config_error naming the layer and key on bad input.
settings load(const sources& src = {});

/// Sets one key from its text form; throws config_error on a bad value.
void set(settings& s, const std::string& key, const std::string& value);

/// The text form of one key's value.
std::string get(const settings& s, const std::string& key);

/// Checks values that are valid alone but not together.
void validate(const settings& s);

/// "host:port" split, or nothing when it is not one (port 1..65535).
std::optional<std::pair<std::string, std::uint16_t>> parse_endpoint(const std::string& endpoint);

/// The comma-separated endpoints of node.join; throws config_error on a bad one.
std::vector<std::string> join_endpoints(const settings& s);

/// Parses `KEY=value` lines (comments with #) as a shell would source them.
std::map<std::string, std::string> parse_env_file(const std::string& path);

/// Finds .rtad/services.env in the working directory or above.
std::optional<std::string> find_services_env();

/// The topic the profiles read: the input topic when its key is the user,
/// else the by-user topic the repartition stage writes.
std::string scoring_topic(const settings& s);

/// The topic the repartition stage writes (kafka.by_user_topic or <topic>.by-user).
std::string by_user_topic(const settings& s);

/// The anomalies topic (output.anomalies_topic with kafka.topic in it); empty: none.
std::string anomalies_topic(const settings& s);

/// The quarantine topic (output.quarantine_topic likewise); empty: none.
std::string quarantine_topic(const settings& s);

/// "standard" / "enhanced".
std::string to_string(detection_mode m);

} // namespace rtad::config
