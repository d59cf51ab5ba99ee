#pragma once

#include "models/global_model.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace rtad::models {

/// The global forest's scores of the rows of its own window, kept from one
/// snapshot to the next. The population reference needs them at every epoch
/// while its window fills, and scoring 8,192 rows in 100 trees each time was
/// a tenth of a node's CPU; between two epochs a refit replaced a few trees
/// and a few rows are new, so only those trees are walked for the rows that
/// stayed. The scores are those of isolation_forest::score, bit for bit.
class window_scores {
public:
  /// The score of each row of `g`'s window (in row(i) order) under
  /// g.snapshot(); empty before the first fit.
  const std::vector<float>& of(const global_model& g);

private:
  std::shared_ptr<const isolation_forest> forest_; ///< the forest sums_ are for
  std::uint64_t rows_seen_ = 0;                    ///< g.rows_seen() when they were
  std::vector<double> sums_; ///< each row's path lengths, summed over the trees
  std::vector<float> scores_;
};

} // namespace rtad::models
