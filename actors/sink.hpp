#pragma once

#include "actors/detail/metrics.hpp"
#include "actors/detail/pg_writer.hpp"
#include "actors/detail/watermark.hpp"
#include "actors/sink_writer.hpp"
#include "config/defaults.hpp"
#include "messages/actors.hpp"

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

namespace rtad {

/// Settings of the sink, filled by the node from its configuration.
struct sink_config {
  pg_writer_config writer;
  /// PostgreSQL connections writing at the same time
  std::size_t writers = defaults::sink::writers;
  std::size_t batch_rows = defaults::sink::batch_rows;
  std::chrono::milliseconds flush_interval{defaults::sink::flush_interval_ms};
  std::chrono::milliseconds max_backoff{defaults::sink::retry_max_backoff_ms};
  std::shared_ptr<node_metrics> metrics;
  /// Spawns lane `i`'s writer, linked to the sink; empty: a detached
  /// sink_writer on its own PostgreSQL connection (lane 0 also keeps the
  /// retention). Tests put a scripted writer here.
  std::function<sink_writer_actor(caf::local_actor& sink, std::size_t lane)> spawn_writer;
};

using checkpoint_promise = caf::typed_response_promise<bool>;

/// What one writer has in PostgreSQL (or waiting for a retry): the sink
/// does not touch it until the writer answers.
struct sink_flight {
  std::deque<scored_transaction> rows;
  std::vector<quarantine_entry> quarantined;
  std::vector<std::pair<profile_checkpoint, checkpoint_promise>> checkpoints;
  std::optional<std::pair<global_checkpoint, std::vector<checkpoint_promise>>> global;
  std::vector<std::uint64_t> credited; ///< one per offset stored, by its announcement
  write_batch batch;                   ///< points into the members above
  bool writing = false;                ///< false: waiting for `retry_at`
};

/// A writer and the partitions it owns (partition modulo the number of
/// lanes): their rows, offsets and checkpoints, so a partition's watermark
/// never commits ahead of its rows, however the lanes interleave.
struct sink_lane {
  sink_writer_actor writer;
  watermark_tracker marks;
  std::deque<scored_transaction> rows;
  std::uint64_t rows_in = 0; ///< rows ever buffered here; those not in `rows` are in flights
  std::vector<quarantine_entry> quarantined;
  /// A checkpoint goes in the flight that takes the last row buffered
  /// before it, not earlier: the rows its profile learned from are then
  /// never missing after a crash. In order of arrival.
  struct waiting_checkpoint {
    std::pair<profile_checkpoint, checkpoint_promise> checkpoint;
    std::uint64_t after_rows; ///< `rows_in` when it arrived
  };
  std::deque<waiting_checkpoint> checkpoints;
  std::shared_ptr<sink_flight> flight;
  std::chrono::milliseconds backoff{0};
  std::chrono::steady_clock::time_point retry_at{};
  std::uint64_t failures = 0; ///< consecutive failed writes
  /// Its last commit, or when work came to it while it had none: how long
  /// it has been stuck, while it has work.
  std::chrono::steady_clock::time_point progress_at{};
  bool busy = false;
};

/// State of the batching PostgreSQL sink.
struct sink_state {
  static inline const char* name = "pg_sink";

  /// An announcement of offsets whose credit goes back once all are stored.
  struct announcement {
    caf::typed_response_promise<std::uint64_t> promise;
    std::uint64_t remaining = 0;
    std::uint64_t count = 0;
  };

  sink_config cfg;
  std::vector<sink_lane> lanes;
  /// Labels and the global checkpoint belong to no partition: lane 0 takes them.
  std::vector<std::int64_t> applied_labels;
  std::optional<std::pair<global_checkpoint, std::vector<checkpoint_promise>>> global_cp;
  std::unordered_map<std::uint64_t, announcement> announcements;
  std::uint64_t next_announcement = 0;
  /// The source's claim on each partition, from its announcements.
  std::unordered_map<std::int32_t, std::int64_t> owner_epochs;
  std::vector<std::pair<std::vector<std::int32_t>, caf::typed_response_promise<bool>>> drains;
  global_model_actor global;
  bool timer_armed = false;
};

/// The batching PostgreSQL sink: see sink_actor in messages/actors.hpp.
/// Gathers batches and hands them to `cfg.writers` writer actors, one lane
/// each; it never blocks, so spawning it detached is not needed.
sink_actor::behavior_type sink(sink_actor::stateful_pointer<sink_state> self, sink_config cfg);

} // namespace rtad
