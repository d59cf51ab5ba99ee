#pragma once

#include "actors/detail/metrics.hpp"
#include "actors/detail/time_merge.hpp"
#include "config/defaults.hpp"
#include "messages/actors.hpp"

#include <chrono>
#include <librdkafka/rdkafkacpp.h>
#include <map>
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

/// The single-partition topic whose owner in the group is the node that
/// repartitions (made by the node when missing).
inline std::string lease_topic(const std::string& by_user_topic) {
  return by_user_topic + ".lease";
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
  std::size_t batch_max = defaults::kafka::repartition_batch;
  std::chrono::milliseconds poll_timeout{defaults::kafka::poll_timeout_ms};
  std::chrono::milliseconds session_timeout{defaults::kafka::session_timeout_ms};
  int topic_timeout_ms = 10000; ///< waiting for the broker's metadata
  std::shared_ptr<node_metrics> metrics;
};

class repartition_rebalancer;

/// A message the repartition stage read, with the user it goes on keyed by.
struct read_message {
  std::unique_ptr<RdKafka::Message> msg;
  std::string user;     ///< its transaction's user_id
  bool decoded = false; ///< false: it goes on unchanged, to be quarantined
};

/// The order of the merge across input partitions: the transaction's own
/// time, which is what a profile's features follow, then the Kafka
/// timestamp (a message that cannot be decoded has only that one).
struct merge_time {
  std::int64_t event_s = 0;
  std::int64_t kafka_ms = 0;
  bool operator<(const merge_time& o) const {
    return event_s != o.event_s ? event_s < o.event_s : kafka_ms < o.kafka_ms;
  }
};

/// State of the repartition stage.
struct repartition_state {
  static inline const char* name = "repartitioner";
  repartition_config cfg;
  std::shared_ptr<repartition_rebalancer> rebalancer; // the type is private to the .cpp
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::unique_ptr<RdKafka::Producer> producer;
  /// Messages read since the last transaction; a rebalance drops them (their
  /// partitions start again from the committed offsets).
  std::vector<read_message> batch;
  /// Messages read and not yet in a batch, merged across partitions by
  /// time (time_merge.hpp).
  time_merge<read_message, merge_time> merge;
  /// Since when the merge has waited for a partition with nothing read.
  std::chrono::steady_clock::time_point incomplete_since{};
  /// Input partitions paused for holding a batch while the merge waits.
  std::set<std::int32_t> paused;
  /// Per input partition, the event time (epoch seconds) of the newest
  /// message read: whether it is live traffic, or a backlog or a file being
  /// written faster than read.
  std::map<std::int32_t, std::int64_t> newest_event_s;
  bool stopping = false;
  bool subscribed = false;   ///< the by-user and lease topics exist (made here when missing)
  bool leased = false;       ///< the group gave this node the lease, and no one fenced it since
  int input_partitions = 0;  ///< of the input topic, when subscribing
  int output_partitions = 0; ///< of the by-user topic, when subscribing
  /// The ordinal of each by-user partition's next message (by_user_ordinals.hpp).
  std::vector<std::int64_t> ordinals;
  bool rewind = false; ///< a transaction failed: seek back before reading on
  std::chrono::steady_clock::time_point last_lag_check{};
  std::uint64_t errors = 0;
};

/// Re-keys the input topic by user into the by-user topic, exactly once: each
/// batch is one Kafka transaction holding its messages and its consumed
/// offsets (send_offsets_to_transaction), so a crash, a rebalance or a
/// fenced node (its group generation is gone) leaves nothing half done.
///
/// One node at a time repartitions, the one the group gives the single
/// partition of the lease topic (lease_topic): it reads every input
/// partition, merged by the transactions' own time, so each user's
/// transactions reach the by-user topic in their order. With the input
/// spread over several nodes, each would pass on its share at its own pace,
/// and a user's transactions from the node ahead would come before earlier
/// ones from the node behind (24,945 of 300,000 with two nodes). The others
/// stand by in the group and take over, from the committed offsets, when
/// the holder leaves, dies or is fenced; one node passes on far more
/// messages than one node scores.
/// Messages it cannot decode go on unchanged (their own key) with a header
/// naming where they were produced (origin_header), and the scoring stage
/// quarantines them under that name as it does any other. Runs detached: it
/// blocks in librdkafka.
source_actor::behavior_type repartitioner(source_actor::stateful_pointer<repartition_state> self,
                                          repartition_config cfg);

} // namespace rtad
