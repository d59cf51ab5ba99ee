#pragma once
// A Prometheus histogram that actors on several threads fill without a lock.

#include <array>
#include <atomic>
#include <cstdint>
#include <ostream>
#include <string>

namespace rtad {

/// Fixed buckets in seconds (upper bounds), wide enough for everything a node
/// times: scoring a transaction (microseconds) to a row waiting out a
/// PostgreSQL outage (minutes). The sum is kept in microseconds, so it adds
/// without a compare-and-swap loop.
class histogram {
public:
  static constexpr std::array<double, 16> bounds{0.00001, 0.00003, 0.0001, 0.0003, 0.001, 0.003,
                                                 0.01,    0.03,    0.1,    0.25,   0.5,   1,
                                                 2.5,     10,      60,     300};

  /// Observations gathered by one thread, added to a histogram at once (one
  /// add per bucket, not per observation).
  struct local {
    std::array<std::uint64_t, bounds.size() + 1> counts{};
    std::uint64_t sum_us = 0;
    void observe(double seconds, std::uint64_t n = 1) {
      counts[bucket(seconds)] += n;
      sum_us +=
        static_cast<std::uint64_t>(seconds > 0 ? seconds * 1e6 * static_cast<double>(n) : 0);
    }
  };

  /// `n` observations of `seconds` each (a batch timed as a whole, per item).
  void observe(double seconds, std::uint64_t n = 1) {
    local l;
    l.observe(seconds, n);
    add(l);
  }

  void add(const local& l) {
    for (std::size_t i = 0; i < l.counts.size(); ++i)
      if (l.counts[i] > 0)
        counts_[i].fetch_add(l.counts[i], std::memory_order_relaxed);
    sum_us_.fetch_add(l.sum_us, std::memory_order_relaxed);
  }

  /// The Prometheus text lines of `name` (with its HELP and TYPE), labelled
  /// `labels` (e.g. node="a"), buckets cumulative as the format wants.
  void write(std::ostream& os, const std::string& name, const std::string& help,
             const std::string& labels) const {
    os << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds.size(); ++i) {
      cumulative += counts_[i].load(std::memory_order_relaxed);
      os << name << "_bucket{" << labels << ",le=\"";
      if (i < bounds.size())
        os << bounds[i];
      else
        os << "+Inf";
      os << "\"} " << cumulative << '\n';
    }
    os << name << "_sum{" << labels << "} "
       << static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6 << '\n'
       << name << "_count{" << labels << "} " << cumulative << '\n';
  }

private:
  static std::size_t bucket(double seconds) {
    std::size_t i = 0;
    while (i < bounds.size() && seconds > bounds[i])
      ++i;
    return i;
  }

  std::array<std::atomic<std::uint64_t>, bounds.size() + 1> counts_{}; ///< the last: +Inf
  std::atomic<std::uint64_t> sum_us_{0};
};

} // namespace rtad
