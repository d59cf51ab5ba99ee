#pragma once
// What `rtad eval` judges: the ground truth of a stream and what rtad (or any
// other detector) made of each transaction. Plain structs, so the judge can
// be tested on hand-made cases.

#include <cstdint>
#include <string>

namespace rtad::eval {

/// The truth about one transaction, from the produced stream.
struct truth_record {
  std::string transaction_id;
  std::string user_id;
  std::int64_t timestamp = 0; ///< epoch seconds
  bool anomalous = false;     ///< `_anomalous`
  std::string fraud_type;     ///< fraud type, benign surprise, or empty for everyday traffic
};

/// A detector's verdict on one transaction.
struct scored_record {
  std::string transaction_id;
  double score = 0;     ///< higher is more anomalous; ranks for PR-AUC
  bool flagged = false; ///< the detector's decision at its own threshold
};

} // namespace rtad::eval
