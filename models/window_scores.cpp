#include "models/window_scores.hpp"

#include <numeric>

namespace rtad::models {

const std::vector<float>& window_scores::of(const global_model& g) {
  auto forest = g.snapshot();
  if (!forest) {
    forest_.reset();
    scores_.clear();
    return scores_;
  }
  const auto n = g.rows();
  const auto fresh_rows = g.rows_seen() - rows_seen_;
  std::vector<std::size_t> all(forest->tree_count());
  std::iota(all.begin(), all.end(), std::size_t{0});
  // A row that stayed costs two walks per replaced tree (the new tree's and
  // the old one's): with half the trees replaced, walking all is as cheap.
  auto changed = forest_ ? forest->trees_changed_since(*forest_) : all;
  if (!forest_ || fresh_rows >= g.window() || sums_.size() > n ||
      changed.size() * 2 >= all.size()) {
    sums_.resize(n);
    for (std::size_t i = 0; i < n; ++i)
      sums_[i] = forest->path_length_sum(g.row(i), all);
  } else {
    // The rows taken in since are the slots just before the next one.
    std::vector<bool> fresh(n, false);
    for (std::uint64_t k = 1; k <= fresh_rows; ++k)
      fresh[(g.next_slot() + g.window() - k) % g.window()] = true;
    sums_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (fresh[i])
        sums_[i] = forest->path_length_sum(g.row(i), all);
      else if (!changed.empty())
        sums_[i] +=
          forest->path_length_sum(g.row(i), changed) - forest_->path_length_sum(g.row(i), changed);
    }
  }
  forest_ = std::move(forest);
  rows_seen_ = g.rows_seen();
  scores_.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    scores_[i] = static_cast<float>(forest_->score_of_sum(sums_[i]));
  return scores_;
}

} // namespace rtad::models
