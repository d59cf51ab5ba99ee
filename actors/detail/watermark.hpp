#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace rtad {

/// Per partition, the offsets a source handed on and which of them are
/// stored. Transactions finish out of order (different profiles), so the
/// offset to commit is a watermark: one past the longest stored prefix.
class watermark_tracker {
public:
  /// Records offsets handed on, increasing within a partition; `batch` names
  /// the announcement they belong to.
  void announce(std::int32_t partition, const std::vector<std::int64_t>& offsets,
                std::uint64_t batch);

  /// Marks one offset stored (tentatively until `commit`). Returns its
  /// announcement, or nullopt for an offset not announced yet (remembered).
  std::optional<std::uint64_t> complete(std::int32_t partition, std::int64_t offset);

  /// Takes back a `complete` whose write failed.
  void undo(std::int32_t partition, std::int64_t offset);

  /// Next offset to consume per partition whose stored prefix grew.
  std::map<std::int32_t, std::int64_t> watermarks() const;

  /// Forgets the stored prefixes (after their watermarks were committed).
  void commit();

  /// True when no offset of `partition` is waiting to be stored.
  bool drained(std::int32_t partition) const;

  /// Offsets handed on and not yet committed, over all partitions.
  std::size_t outstanding() const;

  /// Forgets a partition (it was revoked and drained).
  void forget(std::int32_t partition);

private:
  struct entry {
    std::int64_t offset;
    std::uint64_t batch;
    bool done;
  };
  entry* find(std::int32_t partition, std::int64_t offset);

  std::map<std::int32_t, std::deque<entry>> partitions_;
  std::map<std::int32_t, std::set<std::int64_t>> early_;
};

} // namespace rtad
