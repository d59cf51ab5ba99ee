#pragma once

#include "messages/transaction.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace rtad {

/// Most features a row can have (user-relative features are the widest).
inline constexpr std::size_t max_features = 16;

/// A transaction with its verdict, as the sink stores it.
struct scored_transaction {
  transaction txn;
  double score = 0;
  double threshold = 0;
  double user_score = 0;
  double global_score = 0;
  double user_weight = 0;
  bool anomalous = false;
  std::string risk;               ///< none, low, medium, high
  std::string model_used;         ///< user or global
  std::string explanation;        ///< one readable line (anomalies only)
  std::string detection_features; ///< JSON: reasons with values and usual ranges (anomalies only)
  std::array<float, max_features> features{}; ///< the row the models saw, for the global model
  std::uint8_t feature_count = 0;
  /// A transaction id its user sent before (a producer's retry): the first
  /// verdict stands; this one only completes its offset.
  bool duplicate = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, scored_transaction& x) {
  return f(x.txn, x.score, x.threshold, x.user_score, x.global_score, x.user_weight, x.anomalous,
           x.risk, x.model_used, x.explanation, x.detection_features, x.features, x.feature_count,
           x.duplicate);
}

/// A message that could not be accepted: kept with its bytes and the reason.
struct quarantine_entry {
  std::string topic; ///< where it was produced: the input topic, also behind the repartition stage
  std::int32_t partition = -1; ///< where this node read it (its offset is committed with the row)
  std::int64_t offset = -1;
  std::string key;
  std::string raw;
  std::string reason;
  /// Where it was produced when that differs from where it was read (the
  /// repartition stage passed it on): the row names the producer's message.
  std::int32_t origin_partition = -1;
  std::int64_t origin_offset = -1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, quarantine_entry& x) {
  return f(x.topic, x.partition, x.offset, x.key, x.raw, x.reason, x.origin_partition,
           x.origin_offset);
}

/// Offsets of one partition that a source handed on; the sink's watermark
/// passes them only once every one is stored.
struct offset_batch {
  std::int32_t partition = -1;
  std::vector<std::int64_t> offsets;
  /// The source's claim on the partition (kafka_offsets.owner_epoch): the
  /// sink commits for it only while the claim holds. 0: no claim (not fenced).
  std::int64_t owner_epoch = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, offset_batch& x) {
  return f(x.partition, x.offsets, x.owner_epoch);
}

/// A user's model state for user_profiles: checkpoint bytes plus what people read.
struct profile_checkpoint {
  std::string user_id;
  std::vector<std::uint8_t> bytes;
  std::string summary_json; ///< usual countries, categories, amounts, hours
  std::uint64_t model_version = 0;
  std::int32_t history_size = 0;
  std::int32_t trees = 0;
  double threshold = 0;
  bool frozen = false;
  std::int64_t last_retrain = 0;        ///< epoch seconds (transaction time)
  std::int64_t last_transaction_at = 0; ///< epoch seconds
  std::int32_t learned_partition = -1;  ///< Kafka position of the newest transaction learned
  std::int64_t learned_offset = -1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, profile_checkpoint& x) {
  return f(x.user_id, x.bytes, x.summary_json, x.model_version, x.history_size, x.trees,
           x.threshold, x.frozen, x.last_retrain, x.last_transaction_at, x.learned_partition,
           x.learned_offset);
}

/// A transaction already stored in PostgreSQL, replayed into a restored
/// profile so a crash loses no learning.
struct stored_transaction {
  transaction txn;
  bool anomalous = false;
  double score = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stored_transaction& x) {
  return f(x.txn, x.anomalous, x.score);
}

/// An analyst's verdict on a flagged transaction.
struct label {
  std::int64_t id = 0;
  std::string transaction_id;
  std::string user_id;
  bool confirmed_fraud = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, label& x) {
  return f(x.id, x.transaction_id, x.user_id, x.confirmed_fraud);
}

/// What a profile needs when it comes to life: its checkpoint (if any), the
/// stored transactions after it, and labels it has not applied yet.
struct profile_restore {
  bool found = false;
  std::vector<std::uint8_t> checkpoint;
  std::vector<stored_transaction> catch_up;
  std::vector<label> labels;
  std::string error; ///< non-empty when the checkpoint could not be read
  /// The stored row's model_version: a model started afresh continues from
  /// it, since a checkpoint that goes back in version is refused.
  std::uint64_t stored_version = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, profile_restore& x) {
  return f(x.found, x.checkpoint, x.catch_up, x.labels, x.error, x.stored_version);
}

/// What the sink committed, for the population model: each stored row with
/// its partition, offset, the global forest's score when it was scored, its
/// merchant category and the user's own forest's score (0: no say), and the
/// watermarks committed with them.
struct stored_rows {
  std::vector<std::int32_t> partitions;
  std::vector<std::int64_t> offsets;
  std::vector<float> rows; ///< row-major, the model's feature count each
  std::vector<float> scores;
  std::vector<std::string> categories;
  std::vector<float> user_scores;
  std::vector<std::int32_t> watermark_partitions;
  std::vector<std::int64_t> watermarks; ///< next offset to store, per watermark_partitions
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stored_rows& x) {
  return f(x.partitions, x.offsets, x.rows, x.scores, x.categories, x.user_scores,
           x.watermark_partitions, x.watermarks);
}

/// The node's global model, for global_models: a restarted node starts from it.
struct global_checkpoint {
  std::string mode;
  std::uint64_t version = 0;
  std::uint64_t rows = 0;
  std::vector<std::uint8_t> bytes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, global_checkpoint& x) {
  return f(x.mode, x.version, x.rows, x.bytes);
}

/// What an operator sees of one user's profile (rtad admin profile USER).
struct profile_info {
  std::string user_id;
  std::string node;
  bool active = false; ///< in memory on that node
  std::int32_t history_size = 0;
  std::int32_t training_rows = 0;
  std::uint64_t model_version = 0;
  std::int32_t trees = 0;
  double threshold = 0;
  bool threshold_fixed = false;
  bool frozen = false;
  double user_weight = 0;
  std::int64_t last_retrain = 0;
  std::int64_t last_seen = 0;
  std::vector<double> recent_scores;
  std::vector<std::string> recent_explanations;
  std::string summary_json;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, profile_info& x) {
  return f(x.user_id, x.node, x.active, x.history_size, x.training_rows, x.model_version, x.trees,
           x.threshold, x.threshold_fixed, x.frozen, x.user_weight, x.last_retrain, x.last_seen,
           x.recent_scores, x.recent_explanations, x.summary_json);
}

/// What an operator sees of one node (rtad admin status).
struct node_info {
  std::string node;
  std::string version;
  std::string mode;
  std::vector<std::int32_t> partitions;
  std::uint64_t active_profiles = 0;
  std::uint64_t profile_memory_bytes = 0;
  std::uint64_t consumed = 0;
  std::uint64_t scored = 0;
  std::uint64_t flagged = 0;
  std::uint64_t quarantined = 0;
  std::int64_t consumer_lag = 0;
  std::uint64_t in_flight = 0;
  std::uint64_t rebalances = 0;
  std::uint64_t last_rebalance_ms = 0;
  std::uint64_t last_rebalance_users = 0;
  std::uint64_t global_model_version = 0;
  bool database_up = true;
  bool ready = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_info& x) {
  return f(x.node, x.version, x.mode, x.partitions, x.active_profiles, x.profile_memory_bytes,
           x.consumed, x.scored, x.flagged, x.quarantined, x.consumer_lag, x.in_flight,
           x.rebalances, x.last_rebalance_ms, x.last_rebalance_users, x.global_model_version,
           x.database_up, x.ready);
}

/// One node of the cluster as the registry knows it. `incarnation` (the
/// node's start time, ms) tells a restarted node from the one before it.
struct member_info {
  std::string node;
  std::string admin_endpoint; ///< host:port of its admin actor
  std::int64_t incarnation = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member_info& x) {
  return f(x.node, x.admin_endpoint, x.incarnation);
}

/// A member as one node's registry sees it (rtad admin members).
struct member_view {
  member_info info;
  std::string state;              ///< self, alive, suspect (connection lost, not yet timed out)
  std::int64_t last_heard_ms = 0; ///< since the last heartbeat from it; 0 for self
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member_view& x) {
  return f(x.info, x.state, x.last_heard_ms);
}

} // namespace rtad
