#include "models/explain.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace rtad::models {

namespace {

constexpr double usual_low_percentile = 0.05;
constexpr double usual_high_percentile = 0.95;
constexpr std::size_t usual_values_shown = 3;
constexpr double min_reason_weight = 0.05; // below this a feature is noise, not a reason

std::string fmt(const char* f, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, x);
  return buf;
}

std::string hhmm(std::int64_t ts) {
  auto s = ((ts % 86400) + 86400) % 86400;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s % 3600 / 60));
  return buf;
}

std::string duration(double seconds) {
  if (seconds < 120)
    return fmt("%.0f s", seconds);
  if (seconds < 7200)
    return fmt("%.0f min", seconds / 60);
  if (seconds < 172800)
    return fmt("%.1f h", seconds / 3600);
  return fmt("%.0f days", seconds / 86400);
}

std::string usual_values(const user_history& h, field f) {
  std::string out;
  for (const auto& [value, count] : h.top_values(f, usual_values_shown))
    out += (out.empty() ? "" : ", ") + value;
  return out.empty() ? "none yet" : out;
}

std::string usual_hours(const user_history& h) {
  auto hist = h.hour_histogram();
  std::size_t total = 0;
  for (auto c : hist)
    total += c;
  if (total == 0)
    return "none yet";
  // The shortest circular span of hours holding 90 % of the window.
  std::size_t best_start = 0, best_len = 24;
  for (std::size_t start = 0; start < 24; ++start) {
    std::size_t sum = 0;
    for (std::size_t len = 1; len <= 24; ++len) {
      sum += hist[(start + len - 1) % 24];
      if (static_cast<double>(sum) >= 0.9 * static_cast<double>(total)) {
        if (len < best_len) {
          best_len = len;
          best_start = start;
        }
        break;
      }
    }
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02zu–%02zuh", best_start, (best_start + best_len) % 24);
  return buf;
}

/// How a tail rank compares with all users' recent transactions.
std::string rarer_than_text(double rank, bool beyond) {
  if (beyond)
    return "rarer than every recent transaction of all users";
  double pct = std::clamp(rank, 0.0, 1.0) * 100;
  return fmt(pct >= 99.9 ? "rarer than %.2f %% of all users' recent transactions"
                         : "rarer than %.1f %% of all users' recent transactions",
             pct);
}

/// The reason for user feature `f`; features of one kind share a reason.
reason describe(std::size_t f, const user_model& m, const txn_input& t, const user_features& x) {
  const auto& h = m.history();
  reason r;
  r.feature = std::string(user_feature_name(f));
  auto novelty = [&](field fd) {
    auto value = std::string(field_value(t, fd));
    auto count = h.count_of(fd, value);
    r.seen = value;
    r.usual = usual_values(h, fd);
    r.text = count == 0 ? "new " + std::string(field_name(fd)) + " " + value
                        : "rare " + std::string(field_name(fd)) + " " + value + " (" +
                            std::to_string(count) + " of " + std::to_string(h.size()) + ")";
    if (count == 0 && h.size() > 0)
      r.text += " (usual " + r.usual + ")";
  };
  switch (f) {
  case f_log_amount:
  case f_amount_vs_usual:
    r.feature = "amount";
    r.seen = format_amount(t.amount);
    if (h.size() == 0) {
      r.usual = "none yet";
      r.text = "amount " + r.seen + " from a new user";
    } else {
      r.usual = format_amount(h.amount_percentile(usual_low_percentile)) + "–" +
                format_amount(h.amount_percentile(usual_high_percentile));
      r.text = "amount " + r.seen + " vs usual " + r.usual;
    }
    break;
  case f_hour_sin:
  case f_hour_cos:
    r.feature = "hour";
    r.seen = hhmm(t.timestamp) + " UTC";
    r.usual = usual_hours(h);
    r.text = "at " + r.seen + " vs usual " + r.usual;
    break;
  case f_spend_ratio: {
    auto rate = h.spend(t);
    r.feature = "spend";
    r.seen = format_amount(rate.recent);
    r.usual = format_amount(rate.usual);
    r.text = "spent " + r.seen + " in 6 hours vs usual " + r.usual;
    break;
  }
  case f_log_gap:
    r.seen = duration(std::expm1(static_cast<double>(x[f_log_gap])));
    r.text = r.seen + " after the previous transaction";
    break;
  case f_tx_last_hour:
    r.seen = fmt("%.0f", x[f_tx_last_hour]);
    r.text = r.seen + " transactions in the hour before";
    break;
  case f_novelty_country:
    novelty(field::country);
    break;
  case f_novelty_category:
    novelty(field::category);
    break;
  case f_novelty_payment:
    novelty(field::payment_method);
    break;
  case f_novelty_device:
    novelty(field::device_type);
    break;
  case f_novelty_type:
    novelty(field::transaction_type);
    break;
  case f_travel: {
    const auto* at = h.position_before(t.timestamp, t.country);
    std::string from = at ? std::string(at->country.data()) : "?";
    double gap = at ? std::max(0.0, static_cast<double>(t.timestamp - at->timestamp)) : 0;
    r.seen = fmt("%.0f km/h", std::expm1(static_cast<double>(x[f_travel])));
    r.text = from + "→" + std::string(t.country) + " in " + duration(gap) + " (" + r.seen + ")";
    break;
  }
  case f_log_history:
    r.seen = std::to_string(h.size());
    r.text = "little history (" + r.seen + " transactions)";
    break;
  default:
    break;
  }
  return r;
}

/// Merges reasons that describe the same thing and keeps the top ones.
explanation assemble(std::vector<reason> all, std::size_t top) {
  std::vector<reason> merged;
  for (auto& r : all) {
    auto it = std::find_if(merged.begin(), merged.end(),
                           [&](const reason& m) { return m.feature == r.feature; });
    if (it == merged.end())
      merged.push_back(std::move(r));
    else
      it->weight += r.weight;
  }
  std::stable_sort(merged.begin(), merged.end(),
                   [](const reason& a, const reason& b) { return a.weight > b.weight; });
  explanation e;
  for (auto& r : merged) {
    if (e.reasons.size() >= top || (r.weight < min_reason_weight && !e.reasons.empty()))
      break;
    e.summary += (e.summary.empty() ? "" : "; ") + r.text;
    e.reasons.push_back(std::move(r));
  }
  return e;
}

} // namespace

std::string format_amount(double amount) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", amount);
  std::string digits(buf);
  auto dot = digits.find('.');
  std::string out = digits.substr(dot);
  std::size_t start = digits[0] == '-' ? 1 : 0;
  for (std::size_t i = dot, n = 0; i-- > start; ++n) {
    if (n > 0 && n % 3 == 0)
      out.insert(out.begin(), ',');
    out.insert(out.begin(), digits[i]);
  }
  return start ? "-" + out : out;
}

explanation explain(const user_model& model, const isolation_forest* global, const txn_input& t,
                    const user_features& x, const verdict& v, std::size_t top) {
  std::vector<double> weight(user_feature_count, 0.0);
  auto add = [&](const isolation_forest& f, double share) {
    if (share <= 0 || !f.trained())
      return;
    auto a = f.path_attribution(x.data());
    for (std::size_t i = 0; i < weight.size(); ++i)
      weight[i] += share * a[i];
  };
  add(model.forest(), v.user_weight);
  if (global)
    add(*global, 1 - v.user_weight);
  // When a single feature's tail rank gave the score, that feature is the
  // reason, and how rare it is among all users says how strong.
  std::size_t tail_feature = user_feature_count;
  double tail_rank = 0;
  if (v.calibrated) {
    auto e = v.ranks.strongest();
    switch (e) {
    case evidence::amount:
      tail_feature = f_amount_vs_usual;
      break;
    case evidence::category:
      tail_feature = f_novelty_category;
      break;
    case evidence::travel:
      tail_feature = f_travel;
      break;
    case evidence::spend:
      tail_feature = f_spend_ratio;
      break;
    case evidence::forest:
      break;
    }
    tail_rank = v.ranks.rank(e);
  }
  std::string tail_reason =
    tail_feature < user_feature_count ? describe(tail_feature, model, t, x).feature : "";
  std::vector<reason> all;
  for (std::size_t f = 0; f < user_feature_count; ++f) {
    auto r = describe(f, model, t, x);
    r.weight = weight[f] + (f == tail_feature ? 1.0 : 0.0);
    if (r.feature == tail_reason) // every feature merged into that reason says so
      r.text += " (" + rarer_than_text(tail_rank, v.ranks.unprecedented()) + ")";
    all.push_back(std::move(r));
  }
  auto e = assemble(std::move(all), top);
  // Weights as shares of the explanation, as the forests' attributions are.
  double total = 0;
  for (const auto& r : e.reasons)
    total += r.weight;
  if (total > 1)
    for (auto& r : e.reasons)
      r.weight /= total;
  return e;
}

explanation explain_standard(const isolation_forest& forest, const txn_input& t,
                             const standard_features& x, std::size_t top) {
  auto a = forest.path_attribution(x.data());
  std::vector<reason> all;
  for (std::size_t f = 0; f < standard_feature_count; ++f) {
    reason r;
    r.weight = a[f];
    switch (f) {
    case s_log_amount:
      r.feature = "amount";
      r.seen = format_amount(t.amount);
      r.text = "amount " + r.seen;
      break;
    case s_hour_sin:
    case s_hour_cos:
      r.feature = "hour";
      r.seen = hhmm(t.timestamp) + " UTC";
      r.text = "at " + r.seen;
      break;
    case s_weekday:
      r.feature = "weekday";
      r.text = "on this weekday";
      break;
    default: {
      auto fd = static_cast<field>(f - s_country_code);
      r.feature = std::string(field_name(fd));
      r.seen = std::string(field_value(t, fd));
      r.text = r.feature + " " + r.seen;
    }
    }
    all.push_back(std::move(r));
  }
  return assemble(std::move(all), top);
}

} // namespace rtad::models
