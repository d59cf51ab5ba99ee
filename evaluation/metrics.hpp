#pragma once
// Classification metrics, defined as scikit-learn defines them, so numbers
// here and in a Python notebook agree.

#include <cstdint>
#include <vector>

namespace rtad::eval {

/// Counts of a binary decision against the truth.
struct confusion {
  std::uint64_t tp = 0, fp = 0, fn = 0, tn = 0;
  /// tp / (tp + fp); 0 when nothing was flagged.
  double precision() const;
  /// tp / (tp + fn); 0 when there are no positives.
  double recall() const;
  /// Harmonic mean of precision and recall; 0 when both are 0.
  double f1() const;
  /// fp / (fp + tn): the share of negatives flagged.
  double false_positive_rate() const;
};

/// One scored example for ranking metrics.
struct ranked {
  double score;
  bool positive;
};

/// Area under the precision-recall curve as average precision:
/// sum over distinct score thresholds of (R_n - R_{n-1}) * P_n, ties taken
/// together (scikit-learn's average_precision_score). 0 without positives.
/// Reorders `examples`.
double average_precision(std::vector<ranked>& examples);

/// The best F1 reachable by any threshold on the scores: what a perfectly
/// calibrated threshold would give. Reorders `examples`.
double best_f1(std::vector<ranked>& examples);

} // namespace rtad::eval
