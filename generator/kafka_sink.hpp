#pragma once
// Messages to a Kafka topic through librdkafka, with every delivery counted.

#include "generator/message.hpp"

#include <librdkafka/rdkafka.h>
#include <map>
#include <string>

struct rd_kafka_s; // librdkafka's handle, kept out of this header

namespace rtad::gen {

/// Where and how to produce.
struct kafka_sink_options {
  std::string bootstrap;
  std::string topic;
  int flush_timeout_ms = 120000;   ///< finish() gives up on deliveries after this
  int metadata_timeout_ms = 10000; ///< how long to wait for the broker at start
  int create_partitions = 0;       ///< > 0: create a missing topic with this many partitions
  bool keyed = true;               ///< false: no key, as the original system's producer
  std::map<std::string, std::string> overrides; ///< librdkafka properties, applied last
  /// librdkafka's log lines go here (rtad's logger); null: librdkafka's own stderr lines.
  void (*log_cb)(const rd_kafka_t*, int, const char*, const char*) = nullptr;
};

/// A librdkafka producer: idempotent (retries do not duplicate), keys
/// partitioned with murmur2 as Java clients do, so every tool agrees on a
/// user's partition.
class kafka_sink : public message_sink {
public:
  /// Connects and checks that the topic exists (creating it when asked to);
  /// throws std::runtime_error naming the broker or topic otherwise.
  explicit kafka_sink(const kafka_sink_options& o);
  ~kafka_sink() override;
  kafka_sink(const kafka_sink&) = delete;
  kafka_sink& operator=(const kafka_sink&) = delete;

  /// Queues one message; waits while librdkafka's queue is full.
  void write(const message& m) override;
  /// Waits for every delivery report (up to flush_timeout_ms); the ones
  /// still missing then count as failed.
  void finish() override;
  delivery_stats stats() const override { return stats_; }

  /// Partitions of the topic, as the broker reported them at start.
  int partitions() const { return partitions_; }

private:
  static void on_delivery(rd_kafka_s* rk, const void* report, void* opaque);
  void record_failure(const std::string& reason);
  int topic_partitions();
  void create_topic();
  [[noreturn]] void fail(const std::string& why);

  kafka_sink_options options_;
  rd_kafka_s* rk_ = nullptr;
  delivery_stats stats_;
  int partitions_ = 0;
};

} // namespace rtad::gen
