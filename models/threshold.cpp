#include "models/threshold.hpp"

#include <algorithm>

namespace rtad::models {

std::string_view to_string(risk_level r) {
  switch (r) {
  case risk_level::none:
    return "none";
  case risk_level::low:
    return "low";
  case risk_level::medium:
    return "medium";
  case risk_level::high:
    return "high";
  }
  return "?";
}

double adaptive_threshold::value() const {
  if (override_)
    return *override_;
  double own = quantile_.count() >= params_.warmup ? quantile_.value() : 0.0;
  return std::max(own, params_.floor);
}

risk_level adaptive_threshold::risk(double score) const {
  double t = value();
  if (score <= t)
    return risk_level::none;
  double tail = 1 - score, threshold_tail = 1 - t;
  return tail * params_.high_factor <= threshold_tail     ? risk_level::high
         : tail * params_.medium_factor <= threshold_tail ? risk_level::medium
                                                          : risk_level::low;
}

} // namespace rtad::models
