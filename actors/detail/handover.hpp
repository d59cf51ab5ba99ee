#pragma once
// The PostgreSQL side of handing a partition's profiles over when only
// anomalies are stored (sink.store_all = false; db/migrations/011): the old
// owner marks the partition in its revocation instead of checkpointing
// while the consumer group waits, checkpoints after the rebalance and
// clears the mark; the new owner leaves the partition unread while the mark
// stands, and clears it itself when the old owner is gone or overran.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rtad {

class handover_marks {
public:
  handover_marks(std::string url, std::string group, std::string topic, std::string node);

  /// Marks `partitions` as being handed over by this node under the claims
  /// it holds on them; false when that could not be written.
  bool mark(const std::vector<std::int32_t>& partitions) const;

  /// Clears this node's marks on `partitions`, each given with the claim it
  /// was handed over under (a mark made under another claim stays);
  /// returns how many there were.
  std::size_t clear(const std::map<std::int32_t, std::int64_t>& partitions) const;

  /// A mark that stands, and whether the node that made it still runs (it
  /// holds its node lock, actors/detail/node_lock.hpp, and reported itself in
  /// node_status within 15 s: a stopped process keeps its lock).
  struct standing_mark {
    std::string from;
    std::int64_t epoch = 0;
    bool from_alive = false;
  };

  /// The marks standing on `partitions`.
  std::map<std::int32_t, standing_mark> standing(const std::vector<std::int32_t>& partitions) const;

  /// Clears every mark this node made. At its start: they are from a
  /// previous process under its id, which will not finish them (a new
  /// owner would see the id's lock held again and wait for the timeout).
  void forget_own() const;

  /// Clears another node's mark on `partition`: from then on its late
  /// checkpoints for it are fenced.
  void expire(std::int32_t partition, const standing_mark& m) const;

private:
  std::string url_, group_, topic_, node_;
};

} // namespace rtad
