#pragma once

#include "actors/metrics.hpp"
#include "actors/time_merge.hpp"
#include "messages/actors.hpp"

#include <chrono>
#include <map>
#include <librdkafka/rdkafkacpp.h>
#include <memory>
#include <string>
#include <vector>

namespace rtad {

/// Header of a message the repartition stage could not decode: "PARTITION
/// OFFSET TOPIC" of the input message it copies.
inline constexpr const char* origin_header = "rtad-origin";

/// The value of origin_header for a message (kafka_source parses it back).
inline std::string origin_of(std::int32_t partition, std::int64_t offset,
                             const std::string& topic) {
  return std::to_string(partition) + " " + std::to_string(offset) + " " + topic;
}

/// Settings of the repartition stage, filled by the node.
struct repartition_config {
  std::string bootstrap;
  std::string input_topic;  ///< kafka.topic, keyed any way or not at all
  std::string output_topic; ///< the by-user topic the profiles read
  std::string group;        ///< its own consumer group: <kafka.group>.repartition
  std::string node;
  std::string instance_id; ///< group.instance.id (kafka.static_membership); empty: dynamic member
  std::map<std::string, std::string> properties; ///< kafka.properties
  bool count_rekeyed = true; ///< kafka.input_key = auto: count keys that were not the user
  std::size_t batch_max = 4096;
  std::chrono::milliseconds poll_timeout{50};
  std::chrono::milliseconds session_timeout{10000};
  int topic_timeout_ms = 10000; ///< waiting for the broker's metadata
  std::shared_ptr<node_metrics> metrics;
};

class repartition_rebalancer;

/// State of the repartition stage.
struct repartition_state {
  static inline const char* name = "repartitioner";
  repartition_config cfg;
  std::shared_ptr<repartition_rebalancer> rebalancer; // the type is private to the .cpp
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::unique_ptr<RdKafka::Producer> producer;
  /// Messages read since the last transaction; a rebalance drops them (their
  /// partitions start again from the committed offsets).
  std::vector<std::unique_ptr<RdKafka::Message>> batch;
  /// Messages read and not yet in a batch, merged across partitions by
  /// their Kafka timestamps (time_merge.hpp).
  time_merge<std::unique_ptr<RdKafka::Message>> merge;
  /// Since when the merge has waited for a partition with nothing read.
  std::chrono::steady_clock::time_point incomplete_since{};
  bool stopping = false;
  bool output_ready = false; ///< the by-user topic exists (made here when missing)
  bool rewind = false;       ///< a transaction failed: seek back before reading on
  std::chrono::steady_clock::time_point last_lag_check{};
  std::uint64_t errors = 0;
};

/// Re-keys the input topic by user into the by-user topic, exactly once: each
/// batch is one Kafka transaction holding its messages and its consumed
/// offsets (send_offsets_to_transaction), so a crash, a rebalance or a
/// fenced node (its group generation is gone) leaves nothing half done.
/// Messages it cannot decode go on unchanged (their own key) with a header
/// naming where they were produced (origin_header), and the scoring stage
/// quarantines them under that name as it does any other. Runs detached: it
/// blocks in librdkafka.
source_actor::behavior_type repartitioner(source_actor::stateful_pointer<repartition_state> self,
                                          repartition_config cfg);

} // namespace rtad
