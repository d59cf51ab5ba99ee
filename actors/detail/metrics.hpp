#pragma once

#include "actors/detail/histogram.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace rtad {

/// What one outbox publisher did (actors/anomaly_publisher.hpp).
struct outbox_metrics {
  std::atomic<std::uint64_t> published{0}; ///< acknowledged by the topic
  std::atomic<std::uint64_t> set_aside{0}; ///< refused by it for good
  std::atomic<std::uint64_t> failures{0};  ///< rounds that failed (retried)
  std::atomic<std::int64_t> age_ms{0};     ///< oldest entry not yet published
};

/// Counters and gauges of one node, shared by its actors. Atomics rather than
/// messages: the status reporter and /metrics read them at any moment
/// without disturbing the hot path.
struct node_metrics {
  std::atomic<std::uint64_t> consumed{0};          ///< messages read from Kafka
  std::atomic<std::uint64_t> scored{0};            ///< transactions scored
  std::atomic<std::uint64_t> flagged{0};           ///< anomalies
  std::atomic<std::uint64_t> flagged_by_risk[3]{}; ///< anomalies of risk low, medium, high
  std::atomic<std::uint64_t> quarantined{0};       ///< messages refused
  std::atomic<std::uint64_t> unknown_fields{0};    ///< fields the format does not know, accepted
  std::atomic<std::uint64_t> duplicates{0};        ///< transaction ids a user sent again
  std::atomic<std::uint64_t> stored_rows{0};       ///< results committed to PostgreSQL
  std::atomic<std::uint64_t> fenced{
    0}; ///< rows and messages of partitions another node claimed since
  std::atomic<std::uint64_t> handovers_expired{
    0}; ///< partitions whose old owner's hand-over was not waited for to the end
  std::atomic<std::uint64_t> sink_batches{0};
  std::atomic<std::uint64_t> sink_batch_rows_last{0};
  std::atomic<std::uint64_t> sink_batch_us_total{0};
  std::atomic<std::uint64_t> sink_batch_us_last{0};
  histogram latency;    ///< Kafka message timestamp -> row committed, per stored row
  histogram sink_write; ///< one sink transaction
  histogram scoring;    ///< scoring one transaction (a profile's batch, per transaction)
  std::atomic<std::uint64_t> sink_errors{0};   ///< failed writes (retried)
  std::atomic<std::uint64_t> sink_buffered{0}; ///< results waiting to be written
  /// Steady-clock time (ns) since which the longest-stuck sink lane with work
  /// has not committed; 0: every lane with work is moving.
  std::atomic<std::int64_t> sink_stalled_since_ns{0};
  std::atomic<std::uint64_t> in_flight{0};       ///< transactions handed on, not yet stored
  std::atomic<std::uint64_t> in_flight_bytes{0}; ///< their messages' bytes
  std::atomic<std::uint64_t> credit_waits{0};    ///< times a source paused for credit
  std::atomic<std::uint64_t> epoch_waits_expired{
    0}; ///< transactions scored without their epoch's model
  std::atomic<std::int64_t> consumer_lag{0};
  std::atomic<std::uint64_t> repartitioned{0}; ///< input messages the repartition stage committed
  std::atomic<std::uint64_t> rekeyed{0};       ///< ... of which the key was not the user id
  std::atomic<std::uint64_t> not_keyed_by_user{0};  ///< read directly, key not the user id
  std::atomic<std::uint64_t> repartition_aborts{0}; ///< its transactions aborted (read again)
  std::atomic<std::int64_t> repartition_lag{0};     ///< input messages behind, for it
  outbox_metrics anomaly_outbox;                    ///< stored anomalies -> output.anomalies_topic
  outbox_metrics quarantine_outbox; ///< quarantined messages -> output.quarantine_topic
  std::atomic<std::uint64_t> active_profiles{0};
  std::atomic<std::uint64_t> profile_memory_bytes{0};
  std::atomic<std::uint64_t> restores{0};
  std::atomic<std::uint64_t> restore_queries{0}; ///< queries that brought them back
  std::atomic<std::uint64_t> passivations{0};
  std::atomic<std::uint64_t> checkpoints{0};
  std::atomic<std::uint64_t> labels_applied{0};
  std::atomic<std::uint64_t> rebalances{0};
  std::atomic<std::uint64_t> last_rebalance_ms{0};
  std::atomic<std::uint64_t> last_rebalance_users{0};
  std::atomic<std::int64_t> last_rebalance_at{0}; ///< epoch seconds
  std::atomic<std::uint64_t> global_model_version{0};
  std::atomic<std::uint64_t> resident_bytes{0};      ///< process RSS at the last status tick
  std::atomic<std::uint64_t> heap_released_bytes{0}; ///< freed heap handed back to the OS
  std::atomic<bool> db_available{true};
  std::atomic<bool> ready{false};         ///< assigned partitions and running
  std::atomic<bool> draining{false};      ///< an operator asked it to hand its partitions on
  std::chrono::seconds stuck_after{60};   ///< sink.stuck_after_s: then /readyz says 503
  std::chrono::seconds silent_after{120}; ///< node.silent_after_s: then /healthz says 503

  /// One anomaly of `risk` (low, medium or high).
  void count_anomaly(const std::string& risk) {
    ++flagged;
    ++flagged_by_risk[risk == "high" ? 2 : risk == "medium" ? 1 : 0];
  }

  /// How long a sink lane with work has gone without a commit (0: none).
  double sink_stalled_seconds() const {
    auto since = sink_stalled_since_ns.load();
    if (since == 0)
      return 0;
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    return static_cast<double>(now - since) / 1e9;
  }

  void set_partitions(std::vector<std::int32_t> p) {
    std::lock_guard<std::mutex> guard(mutex_);
    partitions_ = std::move(p);
  }
  std::vector<std::int32_t> partitions() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return partitions_;
  }

  /// The essential actor `actor` answered a liveness ping now (the first
  /// call names it; see actors/liveness.hpp).
  void answered(const std::string& actor);

  /// Each essential actor and the seconds since it last answered, in the
  /// order they were first named.
  std::vector<std::pair<std::string, double>> silences() const;

  /// Essential actors silent for longer than silent_after, with how long.
  std::vector<std::pair<std::string, double>> wedged() const;

  /// Prometheus text exposition of every figure.
  std::string prometheus(const std::string& node) const;

private:
  mutable std::mutex mutex_;
  std::vector<std::int32_t> partitions_;
  /// Steady-clock ns of each essential actor's last answer.
  std::vector<std::pair<std::string, std::int64_t>> answered_at_;
};

} // namespace rtad
