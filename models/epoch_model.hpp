#pragma once

#include "models/global_model.hpp"
#include "models/population.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace rtad::models {

// Reproducible verdicts. A node scores its partitions in parallel and the
// sink commits them in whatever order its lanes finish, so a population
// model that learns rows as they come, used by scorers as soon as it is
// published, gives the same stream different scores on every run. Instead,
// each partition's offsets fall into *epochs* (epoch_plan);
// the node's epoch k *closes* once every partition it reads has stored every
// offset of its own epochs up to k (the sink's watermarks passed their
// ends); the rows of epoch k are then learnt in a fixed order (partition, offset); and a transaction of
// epoch j is scored with the model as it was when epoch j - 2 closed (the
// gap lets partitions go on while the previous epoch is being stored). So a
// score depends on the data only: not on timing or thread count. What the
// node reads is part of the data: the partitions it owns and where it
// started them. A partition that reached the end of the log with all of it
// stored holds nothing back (live traffic would otherwise wait for the
// quietest partition); its rows arriving later are learnt at the next close.

/// How a partition's offsets fall into epochs: 16 of `first` offsets, then
/// epochs an eighth of the offsets before them (8 per doubling of the
/// offset), at most `most`. Early, when the population model changes fast, it
/// is fresh (a transaction is scored with a model one to two epochs of every
/// partition old); later it changes slowly, and large epochs let a node run
/// further ahead of its commits before a partition waits for the model.
struct epoch_plan {
  std::int64_t first = 256;
  std::int64_t most = 4096;
  std::int64_t of(std::int64_t offset) const {
    if (offset < 16 * first)
      return offset / first;
    std::int64_t e = 16, from = 16 * first, size = 2 * first;
    while (size < most && offset >= 2 * from) {
      e += from / size;
      from *= 2;
      size *= 2;
    }
    return e + (offset - from) / std::min(size, most);
  }
  /// The epoch whose closing model scores a transaction at `offset`.
  std::int64_t scoring(std::int64_t offset) const { return of(offset) - 2; }
};

/// The plan of `model.epoch_offsets`: epochs of at most that many offsets.
inline epoch_plan epoch_plan_of(std::int64_t most) { return {std::min<std::int64_t>(256, most), most}; }

/// Stands for every epoch before the node's first: the model it started with.
inline constexpr std::int64_t base_epoch = INT64_MIN;

/// The population model as it was when an epoch closed.
struct epoch_snapshot {
  std::int64_t epoch = base_epoch;
  std::shared_ptr<const isolation_forest> forest;
  std::shared_ptr<const population_reference> population;
  std::uint64_t version = 0;
};

/// The population forest and reference of a node, learning epoch by epoch.
class epoch_model {
public:
  static constexpr std::size_t max_dims = 16;

  epoch_model(global_model model, epoch_plan epochs, std::size_t population_rows = 65536);

  /// The partitions this node reads now; new ones hold every epoch back
  /// until `start` says where they begin, gone ones no longer count.
  void assign(const std::set<std::int32_t>& partitions);
  /// `partition` is read from `offset` on.
  void start(std::int32_t partition, std::int64_t offset);
  /// `partition` has nothing beyond `offset` for now.
  void idle(std::int32_t partition, std::int64_t offset);
  /// One scored row (any order; the same offset again replaces it), with the
  /// global forest's score of it and its merchant category.
  void add(std::int32_t partition, std::int64_t offset, const float* row, float forest_score,
           std::string_view category);
  /// Every offset of `partition` below `watermark` is stored.
  void stored(std::int32_t partition, std::int64_t watermark);

  /// Closes every epoch that can close, learning its rows; a snapshot per
  /// closed epoch that had rows, and one for the last closed if it had none.
  std::vector<epoch_snapshot> advance();

  /// The newest closed epoch (base_epoch: none yet) and its model.
  std::int64_t closed() const { return closed_; }
  epoch_plan plan() const { return epochs_; }
  const global_model& model() const { return model_; }

private:
  struct progress {
    std::int64_t watermark = -1; ///< -1: not started
    std::int64_t idle_at = -1;   ///< end of the log when last seen there
  };
  struct pending {
    std::array<float, max_dims> row;
    float forest_score;
    std::string category;
  };
  /// The newest epoch `p` has stored all of (INT64_MAX when idle).
  std::int64_t complete(const progress& p) const;
  epoch_snapshot snapshot(std::int64_t epoch);

  global_model model_;
  epoch_plan epochs_;
  population_window window_;
  std::shared_ptr<const population_reference> population_;
  std::size_t since_reference_ = 0;
  std::map<std::int32_t, progress> partitions_;
  std::map<std::tuple<std::int64_t, std::int32_t, std::int64_t>, pending> pending_;
  std::int64_t closed_ = base_epoch;
};

/// What a scorer keeps of the published snapshots, to pick the one a
/// transaction is scored with.
template <class Snapshot>
class epoch_book {
public:
  explicit epoch_book(epoch_plan epochs = {}) : epochs_(epochs) {}
  void add(std::int64_t epoch, Snapshot s) {
    by_epoch_[epoch] = std::move(s);
    closed_ = std::max(closed_, epoch);
    // Transactions still to score need epochs closed_ - 1 on; keep spares
    // for partitions that joined late.
    while (by_epoch_.size() > 4)
      by_epoch_.erase(by_epoch_.begin());
  }
  /// The snapshot a transaction at `offset` is scored with: the newest closed
  /// at or before its scoring epoch (the oldest kept for a late partition);
  /// null while that epoch is open.
  const Snapshot* for_offset(std::int64_t offset) const {
    auto need = epochs_.scoring(offset);
    if (by_epoch_.empty() || closed_ < need)
      return nullptr;
    auto it = by_epoch_.upper_bound(need);
    return it == by_epoch_.begin() ? &it->second : &std::prev(it)->second;
  }
  /// The newest snapshot; null before the first.
  const Snapshot* newest() const { return by_epoch_.empty() ? nullptr : &by_epoch_.rbegin()->second; }

private:
  epoch_plan epochs_;
  std::map<std::int64_t, Snapshot> by_epoch_;
  std::int64_t closed_ = base_epoch;
};

} // namespace rtad::models
