#pragma once

#include "models/features.hpp"
#include "models/user_model.hpp"

#include <string>
#include <vector>

namespace rtad::models {

/// One reason a transaction scored high.
struct reason {
  std::string feature; ///< feature name, e.g. "amount_vs_usual"
  double weight = 0;   ///< share of the isolation, 0..1
  std::string seen;    ///< the value seen, e.g. "4,830.00"
  std::string usual;   ///< the user's usual range, e.g. "12.00–180.00"
  std::string text;    ///< e.g. "amount 4,830.00 vs usual 12.00–180.00"
};

/// The top reasons of a verdict and one readable line joining them.
struct explanation {
  std::vector<reason> reasons;
  std::string summary; ///< "amount 4,830.00 vs usual 12.00–180.00; new country NG"
};

/// Explains a score of `t` (features `x`) by per-feature attribution of both
/// forests, weighted as in the verdict, translated into the user's terms.
explanation explain(const user_model& model, const isolation_forest* global, const txn_input& t,
                    const user_features& x, const verdict& v, std::size_t top = 3);

/// Explains a standard-mode score: attribution over the transaction's own features.
explanation explain_standard(const isolation_forest& forest, const txn_input& t,
                             const standard_features& x, std::size_t top = 3);

/// Formats an amount as 4,830.00.
std::string format_amount(double amount);

} // namespace rtad::models
