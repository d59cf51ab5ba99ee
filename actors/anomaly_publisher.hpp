#pragma once

#include "actors/metrics.hpp"
#include "messages/actors.hpp"

#include <chrono>
#include <librdkafka/rdkafkacpp.h>
#include <map>
#include <memory>
#include <pqxx/connection>
#include <string>
#include <vector>

namespace rtad {

/// Settings of the anomaly publisher, filled by the node.
struct publisher_config {
  std::string pg_url;
  std::string bootstrap;
  std::map<std::string, std::string> properties; ///< kafka.properties
  std::string source_topic; ///< kafka.topic: the anomalies topic is made with its partition count
  std::string topic;        ///< output.anomalies_topic
  std::string node;
  std::size_t batch = 500;                  ///< anomalies per round
  std::chrono::milliseconds interval{500};  ///< between rounds that found the outbox drained
  std::chrono::milliseconds max_backoff{30000};
  /// How long a round waits for the broker's acknowledgements; what is not
  /// acknowledged by then is sent again in a later round. The round's
  /// PostgreSQL transaction waits as long, so this stays well below a node
  /// connection's idle-in-transaction timeout (10 s, pg_connection.hpp).
  std::chrono::milliseconds delivery_timeout{5000};
  int topic_timeout_ms = 10000;
  std::shared_ptr<node_metrics> metrics;
};

class delivery_reports;

/// State of the anomaly publisher.
struct publisher_state {
  static inline const char* name = "anomaly_publisher";
  publisher_config cfg;
  std::unique_ptr<pqxx::connection> conn;
  std::shared_ptr<delivery_reports> reports; // the type is private to the .cpp
  std::unique_ptr<RdKafka::Producer> producer;
  bool topic_ready = false;
  std::chrono::milliseconds backoff{0};
};

/// Publishes every anomaly the sink stored to the anomalies topic, at least
/// once: the sink queues each stored anomaly in `anomaly_outbox` in the
/// transaction that stores it; each round here takes up to `batch` queued
/// anomalies (locked, so the publishers of several nodes share the work),
/// sends one JSON message per anomaly keyed by its user, and removes from the
/// outbox those the broker acknowledged. A crash or a broker away sends them
/// again later; the transaction id tells a consumer it has one already. A
/// message the broker will never take (too large) is logged, counted and
/// removed, so it cannot hold the others back. Runs detached: it blocks on
/// PostgreSQL and on the broker's acknowledgements.
anomaly_publisher_actor::behavior_type
anomaly_publisher(anomaly_publisher_actor::stateful_pointer<publisher_state> self,
                  publisher_config cfg);

} // namespace rtad
