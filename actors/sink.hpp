#pragma once

#include "actors/metrics.hpp"
#include "actors/pg_writer.hpp"
#include "actors/watermark.hpp"
#include "messages/actors.hpp"

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>

namespace rtad {

/// Settings of the sink, read by spawn_sink from the node's configuration.
struct sink_config {
  pg_writer_config writer;
  std::size_t batch_rows = 2000;
  std::chrono::milliseconds flush_interval{100};
  std::chrono::milliseconds max_backoff{5000};
  std::shared_ptr<node_metrics> metrics;
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
  std::unique_ptr<pg_writer> writer;
  watermark_tracker marks;
  std::deque<scored_transaction> rows;
  std::vector<quarantine_entry> quarantined;
  std::vector<std::pair<profile_checkpoint, caf::typed_response_promise<bool>>> checkpoints;
  std::vector<std::int64_t> applied_labels;
  std::optional<std::pair<global_checkpoint, std::vector<caf::typed_response_promise<bool>>>> global_cp;
  std::unordered_map<std::uint64_t, announcement> announcements;
  std::uint64_t next_announcement = 0;
  std::vector<std::pair<std::vector<std::int32_t>, caf::typed_response_promise<bool>>> drains;
  global_model_actor global;
  bool timer_armed = false;
  std::chrono::milliseconds backoff{0};
  std::uint64_t failures = 0; ///< consecutive failed writes
  std::chrono::steady_clock::time_point last_retention{};
};

/// The batching PostgreSQL sink: see sink_actor in messages/actors.hpp.
sink_actor::behavior_type sink(sink_actor::stateful_pointer<sink_state> self, sink_config cfg);

} // namespace rtad
