#include "models/global_model.hpp"

#include <algorithm>
#include <stdexcept>

namespace rtad::models {

global_model::global_model(std::size_t dims, forest_params p, std::size_t window,
                           std::size_t refit_every, std::vector<std::pair<float, float>> domains)
    : dims_(dims), window_(window), refit_every_(std::max<std::size_t>(1, refit_every)),
      forest_(dims, p), ring_(window * dims) {
  if (window < 2)
    throw std::invalid_argument("global_model: window must hold at least 2 rows");
  forest_.set_domains(std::move(domains));
}

bool global_model::observe(const float* row) {
  std::copy(row, row + dims_, ring_.begin() + static_cast<long>(head_ * dims_));
  head_ = (head_ + 1) % window_;
  filled_ = std::min(filled_ + 1, window_);
  ++rows_seen_;
  ++since_refit_;
  // The first forest comes early, on fewer rows than a tree samples later:
  // until it exists nothing can be calibrated, so nothing is flagged.
  auto first_fit_rows =
    std::min({window_, first_fit_max_rows, static_cast<std::size_t>(forest_.params().sample_size)});
  if (!forest_.trained()) {
    if (filled_ < first_fit_rows)
      return false;
    refit(0, forest_.tree_count());
    return true;
  }
  if (since_refit_ < refit_every_)
    return false;
  // As in a user model: the whole forest turns over once per window.
  auto trees = forest_.tree_count();
  auto k = std::clamp<std::size_t>((trees * refit_every_ + window_ - 1) / window_, 1, trees);
  refit(next_tree_, k);
  next_tree_ = (next_tree_ + k) % trees;
  return true;
}

void global_model::fit(matrix_view data) {
  if (data.dims != dims_)
    throw std::invalid_argument("global_model: wrong number of features");
  auto keep = std::min(data.rows, window_);
  auto first = data.rows - keep;
  std::copy(data.row(first), data.row(first) + keep * dims_, ring_.begin());
  filled_ = keep;
  head_ = keep % window_;
  rows_seen_ += window_;
  refit(0, forest_.tree_count());
}

void global_model::refit(std::size_t first, std::size_t count) {
  forest_.refit_trees(first, count, {ring_.data(), filled_, dims_});
  since_refit_ = 0;
  ++version_;
  snapshot_ = std::make_shared<const isolation_forest>(forest_);
}

} // namespace rtad::models
