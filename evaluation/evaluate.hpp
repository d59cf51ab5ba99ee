#pragma once
// The judge: joins truth and verdicts by transaction id and measures
// detection quality overall, per fraud type, on benign surprises, and in time.

#include "evaluation/metrics.hpp"
#include "evaluation/records.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace rtad::eval {

/// How to judge.
struct eval_options {
  /// Fraudulent transactions of one user and one fraud type belong to the
  /// same episode while each follows the previous within this many seconds
  /// (of the stream's own timestamps). The generator's episodes span minutes.
  std::int64_t episode_gap_s = 3600;
};

/// Detection delay over fraud episodes (runs of fraud of one type against
/// one user). The delay of a detected episode is the number of its
/// fraudulent transactions that passed unflagged before the first flagged
/// one: 0 means caught at once. Undetected episodes have no delay; they
/// lower `episode_recall` instead.
struct delay_stats {
  std::uint64_t episodes = 0;
  std::uint64_t detected = 0;
  double episode_recall = 0; ///< detected / episodes
  double mean_missed = 0;    ///< transactions passed before the first flag, detected episodes
  double median_missed = 0;
  double p90_missed = 0;
  double mean_seconds = 0; ///< from the episode's first transaction to its first flag
};

/// Quality on one fraud type (positives of this type against all non-fraud).
struct fraud_type_metrics {
  std::string type;
  std::uint64_t count = 0;
  confusion decisions; ///< tp/fn of this type; fp/tn of all non-fraud
  double pr_auc = 0;
  delay_stats delay;
};

/// How often one kind of benign surprise (or everyday traffic) was flagged.
struct benign_metrics {
  std::string type; ///< "(everyday)" for transactions without fraud_type
  std::uint64_t count = 0;
  std::uint64_t flagged = 0;
  double flag_rate = 0; ///< flagged / count: the false-positive rate on them
};

/// Everything `rtad eval` prints.
struct eval_report {
  std::uint64_t truth = 0;   ///< labelled transactions in the truth
  std::uint64_t scored = 0;  ///< verdicts given
  std::uint64_t joined = 0;  ///< transactions with both: the ones judged
  std::uint64_t missing = 0; ///< truth without a verdict (not consumed, quarantined)
  std::uint64_t unknown = 0; ///< verdicts without truth (other runs)
  confusion decisions;       ///< at the detector's own thresholds
  double pr_auc = 0;         ///< from the scores, threshold-free
  double best_f1 = 0;        ///< at the best single score threshold
  delay_stats delay;         ///< all fraud episodes
  std::vector<fraud_type_metrics> fraud_types; ///< sorted by type
  std::vector<benign_metrics> benign;          ///< everyday first, then surprises by type
  double surprise_flag_rate = 0;               ///< over all benign surprises together
};

/// Judges `scores` against `truth`. Duplicate ids: the last record wins.
eval_report evaluate(const std::vector<truth_record>& truth,
                     const std::vector<scored_record>& scores, const eval_options& options = {});

/// Name used for transactions without a fraud_type in `benign`.
inline constexpr const char* everyday_label = "(everyday)";

} // namespace rtad::eval
