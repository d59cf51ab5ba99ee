#pragma once
// What the node stored in PostgreSQL, as truth and verdicts for the judge.

#include "evaluation/records.hpp"

#include <cstdint>
#include <pqxx/connection>
#include <vector>

namespace rtad::eval {

/// Rows of the `transactions` table (every scored transaction).
struct stored_results {
  std::vector<truth_record> truth;   ///< rows whose ground_truth is known
  std::vector<scored_record> scores; ///< every row
  std::uint64_t unlabelled = 0;      ///< rows without ground truth (not from `rtad produce`)
};

/// Reads every row of `transactions` through a cursor (the table can hold
/// millions). Throws std::runtime_error when the schema is missing or the
/// table is empty while `frauds` is not (the node kept only anomalies:
/// sink.store_all was off, so nothing can be judged).
stored_results read_stored_results(pqxx::connection& c);

} // namespace rtad::eval
