#pragma once
// For tests of shards without a global model actor: shards score a
// transaction once its epoch's population model exists (models/epoch_model.hpp).

#include "messages/snapshot.hpp"

#include <limits>

namespace rtad::test {

/// A snapshot without a forest that stands for every epoch: what a shard
/// scores with when no global model takes part.
inline global_snapshot no_global_model() {
  global_snapshot s;
  s.epoch = std::numeric_limits<std::int64_t>::max();
  return s;
}

} // namespace rtad::test
