#pragma once

#include "models/epoch_model.hpp"
#include "models/isolation_forest.hpp"
#include "models/population.hpp"
#include "models/serialize.hpp"

#include <caf/meta/type_name.hpp>
#include <cstdint>
#include <memory>
#include <vector>

namespace rtad {

/// An immutable global forest shared by every scorer of a node, as it was
/// when an epoch closed (models/epoch_model.hpp). Inside a process only the
/// pointer travels; across processes the forest's bytes.
struct global_snapshot {
  std::int64_t epoch = models::base_epoch;
  std::shared_ptr<const models::isolation_forest> forest;
  /// Calibrates scores; node-local: not serialised (a copy received from
  /// another process calibrates nothing until its own node publishes one).
  std::shared_ptr<const models::population_reference> population;
  std::uint64_t version = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, global_snapshot& x) {
  std::vector<std::uint8_t> bytes;
  if constexpr (Inspector::reads_state) {
    if (x.forest)
      bytes = models::model_codec::save(*x.forest);
    return f(caf::meta::type_name("global_snapshot"), bytes, x.version, x.epoch);
  } else {
    auto result = f(caf::meta::type_name("global_snapshot"), bytes, x.version, x.epoch);
    x.forest = bytes.empty() ? nullptr
                             : std::make_shared<const models::isolation_forest>(
                                 models::model_codec::load_forest(bytes.data(), bytes.size()));
    return result;
  }
}

} // namespace rtad
