#pragma once

#include "actors/detail/metrics.hpp"
#include "messages/actors.hpp"

#include <chrono>
#include <librdkafka/rdkafkacpp.h>
#include <map>
#include <memory>
#include <pqxx/connection>
#include <string>
#include <vector>

namespace rtad {

/// What an outbox holds (db/migrations/009 and 010).
enum class outbox_kind {
  /// anomaly_outbox: each stored anomaly, published as one JSON message
  /// keyed by its user (output.anomalies_topic).
  anomalies,
  /// quarantine_outbox: each quarantined message, published as it came
  /// (its key and bytes) with headers saying why and where from
  /// (output.quarantine_topic): a dead-letter topic.
  quarantine,
};

/// Header of a quarantined message on the quarantine topic: the reason.
inline constexpr const char* reason_header = "rtad-reason";

/// Settings of an outbox publisher, filled by the node.
struct publisher_config {
  outbox_kind kind = outbox_kind::anomalies;
  std::string pg_url;
  std::string bootstrap;
  std::map<std::string, std::string> properties; ///< kafka.properties
  std::string source_topic; ///< kafka.topic: the topic is made with its partition count
  std::string topic;        ///< output.anomalies_topic or output.quarantine_topic
  std::string node;
  std::size_t batch = 500;                 ///< entries per round
  std::chrono::milliseconds interval{500}; ///< between rounds that found the outbox drained
  std::chrono::milliseconds max_backoff{30000};
  /// How long a round waits for the broker's acknowledgements; what is not
  /// acknowledged by then is sent again in a later round. The round's
  /// PostgreSQL transaction waits as long, so this stays well below a node
  /// connection's idle-in-transaction timeout (10 s, pg_connection.hpp).
  std::chrono::milliseconds delivery_timeout{5000};
  int topic_timeout_ms = 10000;
  outbox_metrics* metrics = nullptr;           ///< this outbox's figures
  std::shared_ptr<node_metrics> metrics_owner; ///< keeps `metrics` alive
};

class delivery_reports;

/// State of an outbox publisher.
struct publisher_state {
  static inline const char* name = "outbox_publisher";
  publisher_config cfg;
  std::unique_ptr<pqxx::connection> conn;
  std::shared_ptr<delivery_reports> reports; // the type is private to the .cpp
  std::unique_ptr<RdKafka::Producer> producer;
  bool topic_ready = false;
  std::chrono::milliseconds backoff{0};
};

/// Publishes what the sink queued in an outbox table to its topic, at least
/// once: the sink queues each stored anomaly (each quarantined message) in
/// the transaction that stores it; each round here takes up to `batch`
/// queued entries (locked, so the publishers of several nodes share the
/// work), sends one message per entry, and removes from the outbox those
/// the broker acknowledged. A crash or a broker away sends them again later;
/// the transaction id (the origin's partition and offset) tells a consumer
/// it has one already. A message the broker will never take (too large) is
/// logged, counted and removed, so it cannot hold the others back. Runs
/// detached: it blocks on PostgreSQL and on the broker's acknowledgements.
outbox_publisher_actor::behavior_type
outbox_publisher(outbox_publisher_actor::stateful_pointer<publisher_state> self,
                 publisher_config cfg);

} // namespace rtad
