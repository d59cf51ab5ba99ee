#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <utility>
#include <vector>

namespace rtad {

/// Merges several partitions' messages into one sequence by event time, as
/// Kafka Streams does before a repartition: an unkeyed producer spreads a
/// user's transactions over every partition, each in time order, and
/// reading them partition by partition as fetches arrive hands a user's
/// transactions on out of order (hours apart on a busy topic), which
/// scrambles every feature that follows time (gaps, velocity, travel).
///
/// `Time` orders messages (the repartition stage uses the transaction's own
/// time, then the Kafka timestamp: a producer replaying a file at full speed
/// stamps hundreds of messages with one millisecond).
///
/// The partition holding the earliest time goes first, but only while every
/// assigned partition has a message waiting or is known to be at its end:
/// a partition whose next message has not arrived yet might hold an earlier
/// one. The caller decides how long to wait for it (and then declares it at
/// its end). Messages of a partition keep their order, so a partition goes
/// by the earliest time among its waiting messages, not by its first one:
/// one message stamped ahead of the rest (a skewed clock, a poison message
/// an hour newer than a replayed history) would otherwise wait until every
/// other partition passed its time, and its partition behind it (a fault
/// campaign's partition stood 17 minutes behind such a message while the
/// others went on).
template <class Message, class Time = std::int64_t>
class time_merge {
public:
  /// The partitions read now; what waited for others is dropped with them.
  void assign(const std::set<std::int32_t>& partitions) {
    for (auto it = waiting_.begin(); it != waiting_.end();)
      it = partitions.count(it->first) ? std::next(it) : waiting_.erase(it);
    for (auto it = at_end_.begin(); it != at_end_.end();)
      it = partitions.count(*it) ? std::next(it) : at_end_.erase(it);
    assigned_ = partitions;
  }

  /// A message of `bytes` read from `partition`, stamped `timestamp`.
  void add(std::int32_t partition, Time timestamp, std::size_t bytes, Message m) {
    auto& q = waiting_[partition];
    q.push_back({timestamp, bytes, std::move(m)});
    auto& earliest = q.earliest;
    while (!earliest.empty() && timestamp < earliest.back().first)
      earliest.pop_back();
    earliest.emplace_back(timestamp, q.pushed++);
    bytes_ += bytes;
    at_end_.erase(partition);
  }

  /// The partition has nothing more for now (librdkafka's partition EOF, or
  /// the caller waited long enough for it), until a message of it comes.
  void at_end(std::int32_t partition) { at_end_.insert(partition); }

  /// Forgets everything read (a rewind to the committed offsets).
  void clear() {
    waiting_.clear();
    at_end_.clear();
    bytes_ = 0;
  }

  /// Whether every assigned partition has a message waiting or is at its end.
  bool complete() const {
    for (auto p : assigned_)
      if (!ready(p))
        return false;
    return true;
  }

  /// The assigned partitions with nothing waiting that are not at their end.
  std::vector<std::int32_t> missing() const {
    std::vector<std::int32_t> out;
    for (auto p : assigned_)
      if (!ready(p))
        out.push_back(p);
    return out;
  }

  /// Messages waiting from one partition.
  std::size_t size(std::int32_t partition) const {
    auto it = waiting_.find(partition);
    return it == waiting_.end() ? 0 : it->second.size();
  }

  std::size_t size() const {
    std::size_t n = 0;
    for (const auto& [p, q] : waiting_)
      n += q.size();
    return n;
  }

  /// Bytes of the messages waiting.
  std::size_t bytes() const { return bytes_; }

  /// Appends messages to `out` in time order (ties: lower partition first)
  /// while the merge is complete, until `out` holds `max` or this call took
  /// `max_bytes`. Returns the bytes taken. A partition the caller gave up
  /// waiting for is declared at its end first (`at_end`): taking past the
  /// merge's completeness would also pass partitions emptied by this call.
  std::size_t take(std::vector<Message>& out, std::size_t max, std::size_t max_bytes) {
    std::size_t taken_bytes = 0;
    while (out.size() < max && taken_bytes < max_bytes && complete()) {
      queue* first = nullptr;
      for (auto& [p, q] : waiting_)
        if (!q.empty() && (!first || q.earliest.front().first < first->earliest.front().first))
          first = &q;
      if (!first)
        break;
      taken_bytes += first->front().bytes;
      bytes_ -= first->front().bytes;
      out.push_back(std::move(first->front().message));
      first->pop_front();
      if (first->earliest.front().second == first->popped++)
        first->earliest.pop_front();
    }
    return taken_bytes;
  }

private:
  bool ready(std::int32_t partition) const {
    auto it = waiting_.find(partition);
    return (it != waiting_.end() && !it->second.empty()) || at_end_.count(partition);
  }

  struct entry {
    Time timestamp;
    std::size_t bytes;
    Message message;
  };
  /// One partition's messages in their order, with the earliest time among
  /// them kept at hand: `earliest` holds (time, position) of each message
  /// no later message is earlier than, so its front is the minimum.
  struct queue : std::deque<entry> {
    std::deque<std::pair<Time, std::uint64_t>> earliest;
    std::uint64_t pushed = 0, popped = 0;
  };
  std::set<std::int32_t> assigned_;
  std::map<std::int32_t, queue> waiting_;
  std::set<std::int32_t> at_end_;
  std::size_t bytes_ = 0;
};

} // namespace rtad
