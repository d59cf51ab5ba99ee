#pragma once
// Keeps a producer at a set rate without drift: message n is due at
// start + n / rate, so a slow moment is made up afterwards.

#include <chrono>
#include <cstdint>

namespace rtad::gen {

/// A rate limiter on a steady clock.
class pacer {
public:
  /// Monotonic: a clock change must not pause or rush the producer.
  using clock = std::chrono::steady_clock;

  /// `per_second` <= 0 means unlimited.
  explicit pacer(double per_second, clock::time_point start = clock::now());

  /// When message number `n` (0-based) may go.
  clock::time_point due(std::uint64_t n) const;

  /// Sleeps until message `n` may go (returns at once when unlimited).
  void wait(std::uint64_t n) const;

private:
  double per_second_;
  clock::time_point start_;
};

} // namespace rtad::gen
