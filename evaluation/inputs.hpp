#pragma once
// Files `rtad eval` reads: the produced stream (truth) and verdicts of any
// detector as CSV, so tools other than rtad are judged the same way.

#include "evaluation/records.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace rtad::eval {

/// The truth of a produced JSONL stream. Lines without `_anomalous` carry no
/// truth: they are skipped and counted in `unlabelled` (when given). Throws
/// gen::jsonl_error naming the line that is not a transaction.
std::vector<truth_record> read_truth_file(const std::string& path,
                                          std::uint64_t* unlabelled = nullptr);

/// Verdicts from CSV with the header `transaction_id,score,flagged`
/// (flagged: 1/0/true/false). Throws std::runtime_error "FILE:LINE: reason"
/// for a line that does not fit.
std::vector<scored_record> read_scores_file(const std::string& path);

} // namespace rtad::eval
