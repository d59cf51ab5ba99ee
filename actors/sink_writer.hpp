#pragma once

#include "actors/detail/pg_writer.hpp"
#include "messages/actors.hpp"

#include <chrono>
#include <memory>

namespace rtad {

struct sink_writer_state {
  static inline const char* name = "pg_sink_writer";
  std::unique_ptr<pg_writer> writer;
  bool retention = false;
  std::chrono::steady_clock::time_point last_retention{};
};

/// Spawn detached: a write blocks its thread. With `retention`, also drops
/// old partitions of `transactions` about once an hour (one writer does).
sink_writer_actor::behavior_type
sink_writer(sink_writer_actor::stateful_pointer<sink_writer_state> self, pg_writer_config cfg,
            bool retention);

} // namespace rtad
