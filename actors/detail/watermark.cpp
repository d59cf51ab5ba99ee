#include "actors/detail/watermark.hpp"

#include <algorithm>

namespace rtad {

void watermark_tracker::announce(std::int32_t partition, const std::vector<std::int64_t>& offsets,
                                 std::uint64_t batch) {
  auto& q = partitions_[partition];
  auto early = early_.find(partition);
  for (auto o : offsets) {
    bool done = early != early_.end() && early->second.erase(o) > 0;
    q.push_back({o, batch, done});
  }
}

watermark_tracker::entry* watermark_tracker::find(std::int32_t partition, std::int64_t offset) {
  auto it = partitions_.find(partition);
  if (it == partitions_.end())
    return nullptr;
  auto& q = it->second;
  auto at = std::lower_bound(q.begin(), q.end(), offset,
                             [](const entry& e, std::int64_t o) { return e.offset < o; });
  return at != q.end() && at->offset == offset ? &*at : nullptr;
}

std::optional<std::uint64_t> watermark_tracker::complete(std::int32_t partition,
                                                         std::int64_t offset) {
  if (auto* e = find(partition, offset)) {
    e->done = true;
    return e->batch;
  }
  early_[partition].insert(offset);
  return std::nullopt;
}

void watermark_tracker::undo(std::int32_t partition, std::int64_t offset) {
  if (auto* e = find(partition, offset))
    e->done = false;
  else if (auto it = early_.find(partition); it != early_.end())
    it->second.erase(offset);
}

std::map<std::int32_t, std::int64_t> watermark_tracker::watermarks() const {
  std::map<std::int32_t, std::int64_t> out;
  for (const auto& [p, q] : partitions_) {
    std::optional<std::int64_t> last;
    for (const auto& e : q) {
      if (!e.done)
        break;
      last = e.offset;
    }
    if (last)
      out[p] = *last + 1;
  }
  return out;
}

void watermark_tracker::commit() {
  for (auto& [p, q] : partitions_)
    while (!q.empty() && q.front().done)
      q.pop_front();
}

bool watermark_tracker::drained(std::int32_t partition) const {
  auto it = partitions_.find(partition);
  return it == partitions_.end() || it->second.empty();
}

std::size_t watermark_tracker::outstanding() const {
  std::size_t n = 0;
  for (const auto& [p, q] : partitions_)
    n += q.size();
  return n;
}

void watermark_tracker::forget(std::int32_t partition) {
  partitions_.erase(partition);
  early_.erase(partition);
}

} // namespace rtad
