#pragma once

#include "actors/detail/handover.hpp"
#include "actors/detail/metrics.hpp"
#include "config/defaults.hpp"
#include "messages/actors.hpp"
#include "models/epoch_model.hpp"

#include <chrono>
#include <deque>
#include <librdkafka/rdkafkacpp.h>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace rtad {

/// Settings of a Kafka source, filled by node::spawn_source.
struct source_config {
  std::string bootstrap;
  std::string topic;
  std::string group;
  std::string pg_url; ///< where the committed offsets are
  std::string node;
  std::string instance_id; ///< group.instance.id (kafka.static_membership); empty: dynamic member
  std::map<std::string, std::string> properties; ///< kafka.properties
  std::size_t batch_max = defaults::kafka::batch_max;
  std::chrono::milliseconds poll_timeout{defaults::kafka::poll_timeout_ms};
  std::size_t credits = defaults::kafka::credits;
  std::size_t credit_bytes = defaults::kafka::credit_bytes; ///< kafka.credit_bytes
  std::chrono::milliseconds session_timeout{defaults::kafka::session_timeout_ms};
  /// kafka.revoke_timeout_ms: the longest a revocation waits for the sink
  /// and the checkpoints while the group waits for it.
  std::chrono::milliseconds revoke_timeout{defaults::kafka::revoke_timeout_ms};
  /// kafka.handover_timeout_ms: the longest a partition waits for its old
  /// owner to hand its profiles over (checkpoint_on_revoke).
  std::chrono::milliseconds handover_timeout{defaults::kafka::handover_timeout_ms};
  /// librdkafka's queued.max.messages.kbytes
  int prefetch_kbytes = defaults::kafka::prefetch_kbytes;
  /// input.max_future_s: timestamps further ahead are quarantined
  int max_future_s = defaults::input::max_future_s;
  /// input.unknown_fields
  bool quarantine_unknown_fields = defaults::input::quarantine_unknown_fields;
  /// Checkpoint the profiles of revoked partitions while the group waits
  /// (sink.store_all = false: no stored rows to catch up from). Otherwise
  /// they stay in memory, kept where their partition comes straight back.
  bool checkpoint_on_revoke = false;
  /// Reads the by-user topic (kafka.input_key auto or none): its keys need
  /// no check, and epochs count its ordinal headers (by_user_ordinals.hpp).
  /// Otherwise (user) the keys are trusted to be user ids, and those that
  /// are not are counted and reported.
  bool by_user = false;
  std::vector<shard_actor> shards;
  global_model_actor global; ///< told where partitions start and end, for its epochs
  models::epoch_plan epochs; ///< model.epoch_offsets and model.epoch_seconds
  sink_actor sink;
  std::shared_ptr<node_metrics> metrics;
};

class source_rebalancer;

/// State of a Kafka source.
struct source_state {
  static inline const char* name = "kafka_source";
  source_config cfg;
  std::shared_ptr<source_rebalancer> rebalancer; // shared_ptr: the type is private to the .cpp
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::uint64_t in_flight = 0;
  std::uint64_t in_flight_bytes = 0; ///< of the messages' payloads
  std::size_t last_taken = 0;        ///< messages the last poll took: the next one's guess
  bool paused = false;
  bool stopping = false;
  bool abandoned = false;        ///< a revocation gave up waiting; the source ends
  bool warned_not_keyed = false; ///< once per node: the metric counts on
  std::set<std::int32_t> assigned;
  /// This node's claim on each assigned partition (kafka_offsets.owner_epoch).
  std::map<std::int32_t, std::int64_t> owner_epochs;
  /// Revoked partitions whose profiles are still in memory, with the claim
  /// they were read under: the next assignment keeps them if nobody
  /// claimed the partition in between, and drops them otherwise.
  std::map<std::int32_t, std::int64_t> kept;
  /// Revoked partitions marked as handed over (checkpoint_on_revoke): the
  /// next assignment checkpoints the profiles of those that moved.
  std::set<std::int32_t> handing_over;
  /// Assigned partitions left unread until their old owner handed their
  /// profiles over (actors/detail/handover.hpp).
  struct awaited_handover {
    handover_marks::standing_mark mark;
    std::chrono::steady_clock::time_point since; ///< waited for at most kafka.handover_timeout_ms
  };
  std::map<std::int32_t, awaited_handover> awaiting;
  std::chrono::steady_clock::time_point last_handover_check{};
  std::set<std::int32_t> started; ///< assigned partitions whose first offset the global model knows
  /// Where an assigned partition is read: its epochs (they follow its
  /// messages' timestamps too), the epoch of the next offset to hand on, and
  /// whether the log ended there (then it holds nobody back).
  struct partition_reading {
    models::epoch_clock clock;
    std::int64_t epoch = 0;
    bool idle = false;
    std::int64_t next = -1;      ///< after the last message taken (-1: none yet)
    std::int64_t place = -1;     ///< the last message's place in the epochs (offset or ordinal)
    bool caught_up = false;      ///< the last message taken ended a caught-up batch (by-user topic)
    std::int64_t ending_at = -1; ///< where its log ended, not yet declared (-1: it did not)
    std::chrono::steady_clock::time_point ending_since{};
  };
  std::map<std::int32_t, partition_reading> reading;
  /// A message held back, with its timestamp (epoch_clock::no_time when it
  /// has none).
  struct held_message {
    std::unique_ptr<RdKafka::Message> msg;
    std::int64_t timestamp;
  };
  /// Partitions paused for running ahead, with what arrived before the pause.
  std::map<std::int32_t, std::deque<held_message>> held;
  /// The consumer group's offsets, mirrored from what the sink stored so the
  /// broker's lag tools see rtad's group (PostgreSQL stays authoritative:
  /// assignment seeks to kafka_offsets). Per partition, the announcements in
  /// flight in order: their number, the offset after them, and whether the
  /// sink stored them all.
  struct announced {
    std::uint64_t seq;
    std::int64_t next;
    bool stored;
  };
  std::map<std::int32_t, std::deque<announced>> unmirrored;
  std::map<std::int32_t, std::int64_t> mirror; ///< offsets to commit to the group
  bool mirror_changed = false;
  std::uint64_t announcements = 0;
  std::chrono::steady_clock::time_point last_lag_check{};
  std::uint64_t consume_errors = 0;
};

/// Consumes the topic; see source_actor in messages/actors.hpp. Runs detached:
/// it blocks in librdkafka, and in the rebalance callback while partitions
/// are handed over.
source_actor::behavior_type kafka_source(source_actor::stateful_pointer<source_state> self,
                                         source_config cfg);

} // namespace rtad
