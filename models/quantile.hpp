#pragma once

#include <array>
#include <cstdint>

namespace rtad::models {

/// Streaming estimate of one quantile with the P-square algorithm (Jain and
/// Chlamtac 1985): five markers, constant memory, no stored samples.
class p2_quantile {
public:
  explicit p2_quantile(double q = 0.99) : q_(q) {}

  /// Adds one observation.
  void add(double x);

  /// The current estimate; the largest value seen while fewer than five.
  double value() const;

  std::uint64_t count() const { return n_; }
  double quantile() const { return q_; }

  // State, for (de)serialisation.
  double q_;
  std::uint64_t n_ = 0;
  std::array<double, 5> height_{};
  std::array<double, 5> pos_{};
  std::array<double, 5> desired_{};
};

} // namespace rtad::models
