#pragma once

#include "models/global_model.hpp"
#include "models/population.hpp"
#include "models/window_scores.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace rtad::models {

// Reproducible verdicts. A node scores its partitions in parallel and the
// sink commits them in whatever order its lanes finish, so a population
// model that learns rows as they come, used by scorers as soon as it is
// published, gives the same stream different scores on every run. Instead,
// each partition's messages fall into *epochs* (epoch_plan: by offset and
// event time); the node's epoch k *closes* once every partition it reads
// has stored every offset of its own epochs up to k (the sink's watermarks
// passed their ends); the rows of epoch k are then learnt in a fixed order
// (partition, offset); and a transaction of
// epoch j is scored with the model as it was when epoch j - 2 closed (the
// gap lets partitions go on while the previous epoch is being stored). So a
// score depends on the data only: not on timing or thread count. What the
// node reads is part of the data: the partitions it owns and where it
// started them. A partition that reached the end of the log with all of it
// stored holds nothing back (live traffic would otherwise wait for the
// quietest partition); its rows arriving later are learnt at the next close.

/// How a partition's messages fall into epochs. By offset: 16 of `first`
/// offsets, then epochs an eighth of the offsets before them (8 per doubling
/// of the offset), at most `most`. Early, when the population model changes
/// fast, it is fresh (a transaction is scored with a model one to two epochs
/// of every partition old); later it changes slowly, and large epochs let a
/// node run further ahead of its commits before a partition waits for the
/// model. By event time as well: every `seconds` of the partition's newest
/// timestamp begin another epoch, so on quiet traffic the model a
/// transaction is scored with is at most two such periods old (by offsets
/// alone, 2,500 transactions a day over 6 partitions renewed it every ~10
/// days). Every partition counts the same periods, so quiet partitions stay
/// abreast of busy ones.
struct epoch_plan {
  std::int64_t first = 64;
  std::int64_t most = 4096;
  std::int64_t seconds = 0; ///< 0: by offset only
  /// The epoch of `offset` by offset alone.
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
  /// The epoch of `offset` in a partition whose newest timestamp so far
  /// (epoch seconds, this message's included) is `newest`.
  std::int64_t of(std::int64_t offset, std::int64_t newest) const {
    return of(offset) + (seconds > 0 ? std::max<std::int64_t>(0, newest) / seconds : 0);
  }
};

/// The epoch whose closing model scores a transaction of `epoch` (the gap
/// lets partitions go on while the previous epoch is being stored).
constexpr std::int64_t scoring_epoch(std::int64_t epoch) {
  return epoch - 2;
}

/// The plan of `model.epoch_offsets` and `model.epoch_seconds`. A young
/// partition's epochs are small (`first`): early on the population model
/// changes fastest, and scoring the first thousands of rows with it fresher
/// ranked our short-history stream +0.010 to +0.014 PR-AUC higher at 64
/// offsets than at 256 (three starts; long histories +0.000 to +0.003,
/// Sparkov -0.006; bench/eval/RESULTS.md). From 2,048 offsets on, epochs
/// are the same either way, so only a young partition waits for commits.
inline epoch_plan epoch_plan_of(std::int64_t most, std::int64_t seconds) {
  epoch_plan plan;
  plan.first = std::min(plan.first, most);
  plan.most = most;
  plan.seconds = seconds;
  return plan;
}

/// Where one partition is in its epochs, for whoever reads it in order (a
/// node's source, rtad_replay).
class epoch_clock {
public:
  static constexpr std::int64_t no_time = INT64_MIN; ///< a message without a timestamp

  explicit epoch_clock(epoch_plan plan = {}) : plan_(plan) {}
  /// The epoch of the message at `offset` with `timestamp`, if it came next.
  std::int64_t peek(std::int64_t offset, std::int64_t timestamp) const {
    return of(offset, advanced(timestamp));
  }
  /// Takes the message: its epoch, and whether it begins one.
  std::pair<std::int64_t, bool> next(std::int64_t offset, std::int64_t timestamp) {
    newest_ = advanced(timestamp);
    auto e = of(offset, newest_);
    bool begins = e != epoch_;
    epoch_ = e;
    return {e, begins};
  }
  /// The epoch of the next message at `offset` without a newer timestamp.
  std::int64_t at(std::int64_t offset) const { return of(offset, newest_); }
  /// From the message at `offset` on, epochs count from `epoch` at least.
  /// Epochs by offset are a partition's own count: a busy partition is
  /// epochs ahead of a quiet one, and one that reached the end of its log
  /// and then gets live traffic would hold the busy one back (every close
  /// waits for its next epochs, which come with its own slow offsets). Such
  /// a partition skips to where the others are instead.
  /// `timestamp` is the message's: a clock that has not seen one yet would
  /// otherwise skip the days of event time as well.
  void skip_to(std::int64_t offset, std::int64_t timestamp, std::int64_t epoch) {
    skip_ = std::max(skip_, epoch - plan_.of(offset, advanced(timestamp)));
  }

private:
  /// The partition's time once a message with `timestamp` is read: its
  /// newest, moved on by at most one epoch of time per message. One message
  /// stamped days ahead of its neighbours (a device's wrong clock in a
  /// replayed history, within the door's future bound of the wall clock)
  /// put its partition as many epochs ahead of the others, and the source
  /// held the partition until they caught up in event time. Traffic that
  /// comes back after quiet days catches up one epoch per message; a clock
  /// with no time yet takes the first one whole.
  std::int64_t advanced(std::int64_t timestamp) const {
    if (newest_ == 0 || plan_.seconds <= 0)
      return std::max(newest_, timestamp);
    return std::max(newest_, std::min(timestamp, newest_ + plan_.seconds));
  }

  std::int64_t of(std::int64_t offset, std::int64_t newest) const {
    return plan_.of(offset, newest) + skip_;
  }

  epoch_plan plan_;
  std::int64_t newest_ = 0;
  std::int64_t epoch_ = INT64_MIN;
  std::int64_t skip_ = 0; ///< epochs skipped coming back from the end of the log
};

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

  explicit epoch_model(global_model model, std::size_t population_rows = 65536);

  /// The partitions this node reads now; new ones hold every epoch back
  /// until `start` says where they begin, gone ones no longer count.
  void assign(const std::set<std::int32_t>& partitions);
  /// `partition` is read from `offset` on.
  void start(std::int32_t partition, std::int64_t offset);
  /// `partition` has nothing beyond `offset` for now.
  void idle(std::int32_t partition, std::int64_t offset);
  /// The message of `partition` at `offset` begins its `epoch` (its reader
  /// says so before the message can be stored).
  void enter(std::int32_t partition, std::int64_t epoch, std::int64_t offset);
  /// One scored row (any order; the same offset again replaces it), with the
  /// global forest's score of it, its merchant category and the user's own
  /// forest's score of it (0: the user's forest had no say).
  void add(std::int32_t partition, std::int64_t offset, const float* row, float forest_score,
           std::string_view category, float user_score = 0);
  /// Every offset of `partition` below `watermark` is stored.
  void stored(std::int32_t partition, std::int64_t watermark);

  /// Closes every epoch that can close, learning its rows; a snapshot per
  /// closed epoch that had rows, and one for the last closed if it had none.
  std::vector<epoch_snapshot> advance();

  /// The newest closed epoch (base_epoch: none yet) and its model.
  std::int64_t closed() const { return closed_; }
  const global_model& model() const { return model_; }

private:
  struct progress {
    std::int64_t watermark = -1;                 ///< -1: not started
    std::int64_t idle_at = -1;                   ///< end of the log when last seen there
    std::map<std::int64_t, std::int64_t> starts; ///< offset -> the epoch it begins
    /// The epoch of `offset` as far as the reader told (base_epoch: unknown).
    std::int64_t epoch_at(std::int64_t offset) const {
      auto it = starts.upper_bound(offset);
      return it == starts.begin() ? base_epoch : std::prev(it)->second;
    }
  };
  struct pending {
    std::array<float, max_dims> row;
    float forest_score;
    float user_score;
    std::string category;
  };
  /// The newest epoch `p` has stored all of (INT64_MAX when idle).
  std::int64_t complete(const progress& p) const;
  epoch_snapshot snapshot(std::int64_t epoch);

  global_model model_;
  population_window window_;
  window_scores forest_scores_;
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
  void add(std::int64_t epoch, Snapshot s) {
    by_epoch_[epoch] = std::move(s);
    closed_ = std::max(closed_, epoch);
    // Transactions still to score need epochs closed_ - 1 on; keep spares
    // for partitions that joined late.
    while (by_epoch_.size() > 4)
      by_epoch_.erase(by_epoch_.begin());
  }
  /// The snapshot a transaction of `epoch` is scored with: the newest closed
  /// at or before its scoring epoch (the oldest kept for a late partition);
  /// null while that epoch is open.
  const Snapshot* for_epoch(std::int64_t epoch) const {
    auto need = scoring_epoch(epoch);
    if (by_epoch_.empty() || closed_ < need)
      return nullptr;
    auto it = by_epoch_.upper_bound(need);
    return it == by_epoch_.begin() ? &it->second : &std::prev(it)->second;
  }
  /// The newest snapshot; null before the first.
  const Snapshot* newest() const {
    return by_epoch_.empty() ? nullptr : &by_epoch_.rbegin()->second;
  }

private:
  std::map<std::int64_t, Snapshot> by_epoch_;
  std::int64_t closed_ = base_epoch;
};

} // namespace rtad::models
