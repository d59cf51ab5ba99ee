#pragma once

#include "models/quantile.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace rtad::models {

/// How far above its threshold a flagged transaction is.
enum class risk_level : std::uint8_t { none, low, medium, high };
std::string_view to_string(risk_level r);

/// Settings of an adaptive threshold.
struct threshold_params {
  double quantile = 0.99;  ///< flag scores above this quantile of the model's own scores
  double floor = 0.998;    ///< ... but never below this
  std::size_t warmup = 64; ///< scores seen before the own quantile counts
  // Scores are ranks (models/population.hpp): how much rarer than the
  // threshold a score is counts, not how far above it on the rank scale.
  double medium_factor = 3; ///< medium risk from a tail (1 - score) this much below the threshold's
  double high_factor = 8;   ///< ... and high from this many times
};

/// A model's threshold: a streaming high quantile of its own scores, never
/// below a global floor, unless an operator fixed it.
class adaptive_threshold {
public:
  explicit adaptive_threshold(threshold_params p = {}) : params_(p), quantile_(p.quantile) {}

  /// Takes in one score of the model.
  void add(double score) { quantile_.add(score); }

  /// The value a score must exceed now.
  double value() const;

  /// Risk of a score against the current value (none when not above it).
  risk_level risk(double score) const;

  void set_override(std::optional<double> t) { override_ = t; }
  /// A new floor (an operator's decision for the whole node).
  void set_floor(double floor) { params_.floor = floor; }
  std::optional<double> override_value() const { return override_; }
  const threshold_params& params() const { return params_; }
  const p2_quantile& quantile() const { return quantile_; }
  p2_quantile& quantile() { return quantile_; }

private:
  threshold_params params_;
  p2_quantile quantile_;
  std::optional<double> override_;
};

} // namespace rtad::models
