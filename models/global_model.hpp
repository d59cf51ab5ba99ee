#pragma once

#include "models/isolation_forest.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace rtad::models {

/// The population forest: learns from a sliding window of recent rows of
/// every user and turns over incrementally like a user model. Scorers use
/// immutable snapshots, so a new forest never disturbs a scoring in flight.
class global_model {
public:
  static constexpr std::size_t first_fit_max_rows = 256;

  global_model(std::size_t dims, forest_params p, std::size_t window, std::size_t refit_every,
               std::vector<std::pair<float, float>> domains = {});

  /// Adds one row; refits the oldest trees when due. True when a new snapshot exists.
  bool observe(const float* row);

  /// Fits every tree on `data` at once (bootstrap) and takes the rows as the window.
  void fit(matrix_view data);

  /// The newest trained forest; null before the first fit.
  std::shared_ptr<const isolation_forest> snapshot() const { return snapshot_; }

  std::size_t rows() const { return filled_; }
  /// Rows taken in so far; a bootstrap fit() counts as a whole window.
  std::uint64_t rows_seen() const { return rows_seen_; }
  /// The slot of row(i) the next row overwrites (or fills).
  std::size_t next_slot() const { return head_; }
  /// Row `i` of the window (0 .. rows() - 1, in no particular order).
  const float* row(std::size_t i) const { return ring_.data() + i * dims_; }
  const isolation_forest& forest() const { return forest_; }
  std::size_t window() const { return window_; }
  std::size_t refit_every() const { return refit_every_; }

  friend class model_codec;
  std::size_t dims() const { return dims_; }
  std::uint64_t version() const { return version_; }

private:
  void refit(std::size_t first, std::size_t count);

  std::size_t dims_;
  std::size_t window_;
  std::size_t refit_every_;
  isolation_forest forest_;
  std::vector<float> ring_; ///< window x dims, oldest overwritten first
  std::size_t head_ = 0;
  std::size_t filled_ = 0;
  std::size_t since_refit_ = 0;
  std::size_t next_tree_ = 0;
  std::uint64_t version_ = 0;
  std::uint64_t rows_seen_ = 0;
  std::shared_ptr<const isolation_forest> snapshot_;
};

} // namespace rtad::models
