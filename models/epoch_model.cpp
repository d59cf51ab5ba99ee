#include "models/epoch_model.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace rtad::models {

namespace {

constexpr std::int64_t complete_all = std::numeric_limits<std::int64_t>::max();

} // namespace

epoch_model::epoch_model(global_model model, std::size_t population_rows)
    : model_(std::move(model)), window_(population_rows) {
  if (model_.dims() > max_dims)
    throw std::invalid_argument("epoch_model: too many features");
}

void epoch_model::assign(const std::set<std::int32_t>& partitions) {
  for (auto it = partitions_.begin(); it != partitions_.end();)
    it = partitions.count(it->first) ? std::next(it) : partitions_.erase(it);
  for (auto p : partitions)
    partitions_.emplace(p, progress{});
}

void epoch_model::start(std::int32_t partition, std::int64_t offset) {
  auto& p = partitions_[partition];
  p.watermark = std::max(p.watermark, offset); // the sink may have told first
  p.idle_at = -1;
}

void epoch_model::idle(std::int32_t partition, std::int64_t offset) {
  auto it = partitions_.find(partition);
  if (it != partitions_.end() && offset >= it->second.watermark)
    it->second.idle_at = offset;
}

void epoch_model::enter(std::int32_t partition, std::int64_t epoch, std::int64_t offset) {
  auto it = partitions_.find(partition);
  if (it == partitions_.end())
    return;
  auto& starts = it->second.starts;
  starts[offset] = epoch;
  // Only the epoch of the watermark and those after it are asked for.
  auto w = std::max<std::int64_t>(0, it->second.watermark);
  while (starts.size() > 1 && std::next(starts.begin())->first <= w)
    starts.erase(starts.begin());
}

void epoch_model::add(std::int32_t partition, std::int64_t offset, const float* row,
                      float forest_score, std::string_view category, float user_score) {
  pending p;
  std::copy(row, row + model_.dims(), p.row.begin());
  p.forest_score = forest_score;
  p.user_score = user_score;
  p.category = std::string(category);
  auto it = partitions_.find(partition);
  auto epoch = it == partitions_.end() ? base_epoch : it->second.epoch_at(offset);
  pending_[{epoch, partition, offset}] = std::move(p);
}

void epoch_model::stored(std::int32_t partition, std::int64_t watermark) {
  auto it = partitions_.find(partition);
  if (it == partitions_.end() || watermark <= it->second.watermark)
    return;
  it->second.watermark = watermark;
  if (it->second.idle_at >= 0 && watermark > it->second.idle_at)
    it->second.idle_at = -1; // new traffic: it counts again
}

std::int64_t epoch_model::complete(const progress& p) const {
  if (p.watermark < 0)
    return base_epoch;
  if (p.idle_at >= 0 && p.watermark >= p.idle_at)
    return complete_all;
  // Epochs before the watermark's are stored; with the reader not yet
  // there, the one it last began may go on.
  auto e = p.epoch_at(p.watermark);
  return e == base_epoch ? base_epoch : e - 1;
}

std::vector<epoch_snapshot> epoch_model::advance() {
  std::vector<epoch_snapshot> out;
  if (partitions_.empty())
    return out;
  auto target = complete_all;
  auto furthest = base_epoch; // with every partition idle, the newest epoch stored anywhere
  for (const auto& [id, p] : partitions_) {
    target = std::min(target, complete(p));
    if (auto e = p.epoch_at(p.watermark); e != base_epoch)
      furthest = std::max(furthest, e - 1);
  }
  target = std::min(target, furthest);
  if (target == base_epoch || target <= closed_)
    return out;
  // Epoch by epoch, in (epoch, partition, offset) order.
  while (!pending_.empty() && std::get<0>(pending_.begin()->first) <= target) {
    auto e = std::get<0>(pending_.begin()->first);
    while (!pending_.empty() && std::get<0>(pending_.begin()->first) == e) {
      auto& p = pending_.begin()->second;
      model_.observe(p.row.data());
      window_.observe(p.row.data(), model_.dims(), p.category, p.forest_score, p.user_score);
      ++since_reference_;
      pending_.erase(pending_.begin());
    }
    closed_ = std::max(closed_, e);
    out.push_back(snapshot(closed_));
  }
  if (closed_ < target) {
    closed_ = target;
    out.push_back(snapshot(closed_));
  }
  return out;
}

epoch_snapshot epoch_model::snapshot(std::int64_t epoch) {
  // The reference ranks against the forest's scores of its whole window and
  // the sorted population window (each kept up to date from what changed
  // since, window_scores and population_window::sorted_evidence). While the
  // population window fills it is rebuilt at every epoch
  // with new rows: a young population drifts fastest (its users' histories
  // grow under it), and a stale reference flagged four times as many rows
  // in the first tenth of a stream as later. Once full, it is rebuilt when a
  // quarter of the window is new, so its cost per row stays constant.
  bool filling = window_.size() < window_.capacity();
  bool due = filling ? since_reference_ > 0 : since_reference_ * 4 >= window_.size();
  if (model_.snapshot() && (!population_ || (population_->version() != model_.version() && due))) {
    if (auto p = population_reference::build(model_, forest_scores_.of(model_), window_, {})) {
      population_ = std::move(p);
      since_reference_ = 0;
    }
  }
  return {epoch, model_.snapshot(), population_, model_.version()};
}

} // namespace rtad::models
