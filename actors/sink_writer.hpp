#pragma once

#include "actors/pg_writer.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/typed_actor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace rtad {

/// A batch the sink hands to a writer. It points into rows the sink keeps
/// untouched until the writer answers; the pointer keeps them alive.
using batch_ref = std::shared_ptr<const write_batch>;

/// A writer's answer: empty `error` once committed.
struct write_outcome {
  std::string error;
  std::uint64_t micros = 0;  ///< time spent writing
  std::uint64_t refused = 0; ///< rows PostgreSQL refused for good, quarantined instead
  std::uint64_t fenced = 0;  ///< rows and messages of partitions another node claimed since
};

} // namespace rtad

// Both stay inside one process (the sink and its writers): never serialized.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rtad::batch_ref)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rtad::write_outcome)

namespace rtad {

/// One PostgreSQL connection of the sink: writes the batches it is given,
/// one at a time, each in one transaction. The sink keeps each partition on
/// one writer, so a partition's batches commit in order.
using sink_writer_actor = caf::typed_actor<caf::replies_to<batch_ref>::with<write_outcome>>;

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
