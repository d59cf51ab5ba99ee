#include "models/features.hpp"

#include "models/countries.hpp"
#include "models/population.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace rtad::models {

namespace {

constexpr double seconds_per_hour = 3600;
constexpr double seconds_per_day = 86400;
constexpr double two_pi = 6.283185307179586;
constexpr double first_gap_s =
  30 * seconds_per_day;                 // gap assumed before a user's first transaction
constexpr double min_travel_gap_s = 60; // avoids infinite speeds
constexpr double mad_to_sigma = 1.4826;
constexpr double min_log_mad = 0.05; // ~5 % amount spread: no user is that regular
// Few transactions say little about a user's spread: it is shrunk towards a
// wide prior, as if `prior_weight_txns` transactions had that spread.
constexpr double prior_log_sd = 1.0;
constexpr double prior_weight_txns = 10;
// Everyday amounts stay within a few sigmas; only what lies beyond this counts,
// so the forests see zero for nearly every transaction and isolate the rest.
constexpr double amount_dead_zone_sd = 2;
constexpr double amount_saturation_sd = 3; // sigmas beyond the dead zone that give 1
constexpr double amount_z_limit = 50;      // keeps f_amount_z finite in half precision
// Novelty against a short history is weak evidence: scaled by n / (n + this)
// (0 for a user's first transaction, when everything is new).
constexpr double novelty_shrink_txns = 5;
constexpr std::int64_t epoch_monday_offset_days = 3; // 1970-01-01 was a Thursday
// Spend velocity: what the user spent in this span against what they usually
// spend in as long. Stolen cards are drained in hours; a span of a few hours
// catches a burst without counting a whole day's ordinary shopping.
constexpr double spend_span_s = 6 * seconds_per_hour;
// The usual rate is measured over at least this long, so a user's first
// purchases do not look like a burst against a history of minutes.
constexpr double min_spend_history_s = 3 * seconds_per_day;

double hour_of_day(std::int64_t ts) {
  auto s = ((ts % 86400) + 86400) % 86400;
  return static_cast<double>(s) / seconds_per_hour;
}

double weekday(std::int64_t ts) {
  auto days = ts >= 0 ? ts / 86400 : (ts - 86399) / 86400;
  return static_cast<double>(((days + epoch_monday_offset_days) % 7 + 7) % 7) / 6.0;
}

float stable_code(std::string_view v) {
  // FNV-1a: stable across runs and machines, unlike std::hash.
  std::uint32_t h = 2166136261u;
  for (unsigned char c : v) {
    h ^= c;
    h *= 16777619u;
  }
  return static_cast<float>(h >> 8) / static_cast<float>(1u << 24);
}

std::array<char, 4> pack_country(std::string_view c) {
  std::array<char, 4> out{};
  std::memcpy(out.data(), c.data(), std::min<std::size_t>(c.size(), 3));
  return out;
}

double rarity(std::size_t count, std::size_t n) {
  if (n == 0)
    return 1.0;
  return std::log((n + 1.0) / (count + 1.0)) / std::log(n + 1.0);
}

} // namespace

std::optional<double> travel_kmh(const user_history::recent* from, std::int64_t timestamp,
                                 std::string_view country) {
  if (!from || country == from->country.data())
    return std::nullopt;
  auto a = country_centroid(from->country.data());
  auto b = country_centroid(country);
  if (!a || !b)
    return std::nullopt;
  auto gap = std::max<double>(static_cast<double>(timestamp - from->timestamp), min_travel_gap_s);
  return distance_km(*a, *b) / (gap / seconds_per_hour);
}

std::string_view field_name(field f) {
  switch (f) {
  case field::country:
    return "country";
  case field::category:
    return "merchant category";
  case field::payment_method:
    return "payment method";
  case field::device_type:
    return "device";
  case field::transaction_type:
    return "transaction type";
  }
  return "?";
}

std::string_view field_value(const txn_input& t, field f) {
  switch (f) {
  case field::country:
    return t.country;
  case field::category:
    return t.category;
  case field::payment_method:
    return t.payment_method;
  case field::device_type:
    return t.device_type;
  case field::transaction_type:
    return t.transaction_type;
  }
  return {};
}

std::string_view user_feature_name(std::size_t f) {
  static constexpr std::array<std::string_view, user_feature_count> names{
    "log_amount",       "amount_vs_usual", "hour_sin",       "hour_cos",
    "spend_ratio",      "log_gap",         "tx_last_hour",   "novelty_country",
    "novelty_category", "novelty_payment", "novelty_device", "novelty_type",
    "travel",           "log_history",     "amount_z",       "category_rarity"};
  return f < names.size() ? names[f] : "?";
}

std::string_view standard_feature_name(std::size_t f) {
  static constexpr std::array<std::string_view, standard_feature_count> names{
    "log_amount",    "hour_sin",     "hour_cos",    "weekday",  "country_code",
    "category_code", "payment_code", "device_code", "type_code"};
  return f < names.size() ? names[f] : "?";
}

std::vector<std::pair<float, float>> user_feature_domains() {
  // Hour is left out of the forests ({1, 0}): no fraud type differs in it,
  // and every dimension a forest splits on without need dilutes the
  // isolation of a transaction that is odd in one dimension only. Spend is
  // evidence for the tail ranks only, as amount z is.
  constexpr std::pair<float, float> left_out{1.0f, 0.0f};
  return {{0.0f, 21.0f}, // log(1 + 1e9)
          {-1.0f, 1.0f},
          left_out,
          left_out,
          left_out,
          {0.0f, 20.0f}, // log(1 + 15 years)
          {0.0f, static_cast<float>(user_history::recent_capacity)},
          {0.0f, 1.0f},
          {0.0f, 1.0f},
          {0.0f, 1.0f},
          {0.0f, 1.0f},
          {0.0f, 1.0f},
          {0.0f, 13.0f}, // log(1 + 400,000 km/h)
          {0.0f, 11.0f}, // log(1 + 65,536 transactions)
          left_out,
          left_out}; // evidence for the tail ranks only
}

std::vector<std::pair<float, float>> standard_feature_domains() {
  return {{0.0f, 21.0f}, {-1.0f, 1.0f}, {-1.0f, 1.0f}, {0.0f, 1.0f}, {0.0f, 1.0f},
          {0.0f, 1.0f},  {0.0f, 1.0f},  {0.0f, 1.0f},  {0.0f, 1.0f}};
}

standard_features compute_standard_features(const txn_input& t) {
  standard_features x{};
  double hour = hour_of_day(t.timestamp);
  x[s_log_amount] = static_cast<float>(std::log1p(t.amount));
  x[s_hour_sin] = static_cast<float>(std::sin(two_pi * hour / 24));
  x[s_hour_cos] = static_cast<float>(std::cos(two_pi * hour / 24));
  x[s_weekday] = static_cast<float>(weekday(t.timestamp));
  x[s_country_code] = stable_code(t.country);
  x[s_category_code] = stable_code(t.category);
  x[s_payment_code] = stable_code(t.payment_method);
  x[s_device_code] = stable_code(t.device_type);
  x[s_type_code] = stable_code(t.transaction_type);
  return x;
}

std::uint16_t half_bits(float value) {
  std::uint32_t f;
  std::memcpy(&f, &value, 4);
  std::uint32_t sign = (f >> 16) & 0x8000u;
  std::int32_t exp = static_cast<std::int32_t>((f >> 23) & 0xff) - 127 + 15;
  std::uint32_t mant = f & 0x7fffffu;
  if (((f >> 23) & 0xff) == 0xff) // inf or nan
    return static_cast<std::uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0));
  if (exp >= 31)
    return static_cast<std::uint16_t>(sign | 0x7c00u); // overflow to inf
  if (exp <= 0) {                                      // subnormal or zero
    if (exp < -10)
      return static_cast<std::uint16_t>(sign);
    mant |= 0x800000u;
    auto shift = static_cast<std::uint32_t>(14 - exp);
    std::uint32_t half = mant >> shift;
    std::uint32_t rest = mant & ((1u << shift) - 1);
    std::uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half & 1)))
      ++half;
    return static_cast<std::uint16_t>(sign | half);
  }
  std::uint32_t half = (static_cast<std::uint32_t>(exp) << 10) | (mant >> 13);
  std::uint32_t rest = mant & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1)))
    ++half; // may carry into the exponent, which is still correct rounding
  return static_cast<std::uint16_t>(sign | half);
}

float from_half_bits(std::uint16_t h) {
  std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  std::uint32_t exp = (h >> 10) & 0x1fu;
  std::uint32_t mant = h & 0x3ffu;
  std::uint32_t f;
  if (exp == 0) {
    if (mant == 0) {
      f = sign;
    } else { // subnormal: normalise
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while (!(mant & 0x400u));
      f = sign | (static_cast<std::uint32_t>(127 - 15 - e) << 23) | ((mant & 0x3ffu) << 13);
    }
  } else if (exp == 31) {
    f = sign | 0x7f800000u | (mant << 13);
  } else {
    f = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float out;
  std::memcpy(&out, &f, 4);
  return out;
}

void user_history::refresh_amount_stats() const {
  if (!stats_dirty_)
    return;
  stats_dirty_ = false;
  const auto& a = sorted_logs_;
  auto n = a.size();
  if (n == 0) {
    log_median_ = log_mad_ = 0;
    return;
  }
  auto m = n / 2;
  log_median_ = a[m];
  // The deviations |a[i] - median| grow in both directions from the median,
  // so the m-th smallest comes from merging the two sides.
  std::size_t left = m, right = m;
  double mad = 0;
  for (std::size_t taken = 0; taken <= m; ++taken) {
    if (left > 0 && (right == n || log_median_ - a[left - 1] <= a[right] - log_median_))
      mad = log_median_ - a[--left];
    else
      mad = a[right++] - log_median_;
  }
  log_mad_ = mad;
}

user_history::spend_rate user_history::spend(const txn_input& t) const {
  double recent = t.amount;
  for (auto it = window_.rbegin();
       it != window_.rend() && static_cast<double>(t.timestamp - it->timestamp) < spend_span_s;
       ++it)
    recent += it->amount;
  double history_s =
    window_.empty() ? 0.0 : static_cast<double>(t.timestamp - window_.front().timestamp);
  double usual =
    std::max(0.0, window_spend_) / std::max(history_s, min_spend_history_s) * spend_span_s;
  return {recent, usual};
}

user_features user_history::features(const txn_input& t,
                                     const population_reference* population) const {
  refresh_amount_stats();
  user_features x{};
  double log_amount = std::log1p(t.amount);
  double hour = hour_of_day(t.timestamp);
  x[f_log_amount] = static_cast<float>(log_amount);
  if (!window_.empty()) {
    double n = static_cast<double>(window_.size());
    double own = std::max(mad_to_sigma * log_mad_, min_log_mad);
    double spread = std::sqrt((n * own * own + prior_weight_txns * prior_log_sd * prior_log_sd) /
                              (n + prior_weight_txns));
    double z = (log_amount - log_median_) / spread;
    x[f_amount_z] = static_cast<float>(std::clamp(z, -amount_z_limit, amount_z_limit));
    double beyond = std::max(0.0, std::abs(z) - amount_dead_zone_sd) / amount_saturation_sd;
    x[f_amount_vs_usual] = static_cast<float>(std::copysign(std::min(1.0, beyond), z));
  }
  x[f_hour_sin] = static_cast<float>(std::sin(two_pi * hour / 24));
  x[f_hour_cos] = static_cast<float>(std::cos(two_pi * hour / 24));
  auto rate = spend(t);
  x[f_spend_ratio] = static_cast<float>(std::log1p(rate.recent / (rate.usual + 1.0)));
  double gap = first_gap_s;
  int last_hour = 0;
  if (!recent_.empty()) {
    gap = std::max<double>(0, static_cast<double>(t.timestamp - recent_.back().timestamp));
    for (auto it = recent_.rbegin(); it != recent_.rend(); ++it) {
      if (t.timestamp - it->timestamp > seconds_per_hour)
        break;
      ++last_hour;
    }
    if (auto speed = travel_kmh(position_before(t.timestamp, t.country), t.timestamp, t.country))
      x[f_travel] = static_cast<float>(std::log1p(*speed));
  }
  x[f_log_gap] = static_cast<float>(std::log1p(gap));
  x[f_tx_last_hour] = static_cast<float>(last_hour);
  const std::array<user_feature, field_count> novelty{
    f_novelty_country, f_novelty_category, f_novelty_payment, f_novelty_device, f_novelty_type};
  for (std::size_t i = 0; i < field_count; ++i) {
    auto f = static_cast<field>(i);
    auto n = static_cast<double>(window_.size());
    x[novelty[i]] = static_cast<float>(rarity(count_of(f, field_value(t, f)), window_.size()) * n /
                                       (n + novelty_shrink_txns));
  }
  x[f_log_history] = static_cast<float>(std::log1p(static_cast<double>(window_.size())));
  if (population)
    x[f_category_rarity] =
      x[f_novelty_category] * static_cast<float>(population->rarity(t.category));
  for (auto& v : x)
    v = to_half_precision(v);
  return x;
}

const user_history::recent* user_history::position_before(std::int64_t timestamp,
                                                          std::string_view country) const {
  auto reachable = [](const recent* from, std::int64_t when, std::string_view where) {
    auto speed = travel_kmh(from, when, where);
    return !speed || *speed <= max_plausible_kmh;
  };
  const recent* at = nullptr;     // where the user is
  const recent* before = nullptr; // where they were before they moved to `at`'s country
  int stayed = 0;                 // transactions in `at`'s country since that move
  int contradicted = 0;           // since then, out of reach from `at`, in `before`'s country
  // Whether a transaction in `where`, out of reach from `at`, settles that
  // the user is still where they were before.
  auto back = [&](std::string_view where) {
    return before && where == before->country.data() && ++contradicted >= stayed;
  };
  for (const auto& e : recent_) {
    std::string_view where = e.country.data();
    if (!at || reachable(at, e.timestamp, where)) {
      if (at && where != at->country.data())
        before = at, stayed = 0, contradicted = 0;
      at = &e, ++stayed;
    } else if (back(where)) {
      at = &e, before = nullptr, stayed = contradicted, contradicted = 0;
    }
  }
  if (at && !reachable(at, timestamp, country) && back(country))
    return before;
  return at;
}

void user_history::observe(const txn_input& t) {
  recent_.push_back({t.timestamp, pack_country(t.country)});
  if (recent_.size() > recent_capacity)
    recent_.pop_front();
}

std::uint8_t user_history::intern(field f, std::string_view value) {
  auto& d = dict_[static_cast<std::size_t>(f)];
  std::size_t free_slot = d.values.size();
  for (std::size_t i = 0; i < d.values.size(); ++i) {
    if (d.values[i] == value) {
      ++d.counts[i];
      return static_cast<std::uint8_t>(i);
    }
    if (d.counts[i] == 0 && free_slot == d.values.size())
      free_slot = i;
  }
  if (free_slot < d.values.size()) {
    d.values[free_slot] = std::string(value);
    d.counts[free_slot] = 1;
    return static_cast<std::uint8_t>(free_slot);
  }
  if (d.values.size() >= overflow_value)
    return overflow_value;
  d.values.emplace_back(value);
  d.counts.push_back(1);
  return static_cast<std::uint8_t>(d.values.size() - 1);
}

void user_history::release(field f, std::uint8_t id) {
  if (id == overflow_value)
    return;
  auto& d = dict_[static_cast<std::size_t>(f)];
  if (id < d.counts.size() && d.counts[id] > 0)
    --d.counts[id];
}

void user_history::admit(const txn_input& t) {
  if (window_.size() >= capacity_) {
    const auto& old = window_.front();
    for (std::size_t i = 0; i < field_count; ++i)
      release(static_cast<field>(i), old.value[i]);
    auto gone = std::lower_bound(sorted_logs_.begin(), sorted_logs_.end(),
                                 std::log1p(static_cast<double>(old.amount)));
    if (gone != sorted_logs_.end()) // always, for the finite amounts messages/ admits
      sorted_logs_.erase(gone);
    window_spend_ -= old.amount;
    window_.pop_front();
  }
  entry e{t.timestamp, static_cast<float>(t.amount), {}};
  auto log_amount = std::log1p(static_cast<double>(e.amount));
  sorted_logs_.insert(std::upper_bound(sorted_logs_.begin(), sorted_logs_.end(), log_amount),
                      log_amount);
  for (std::size_t i = 0; i < field_count; ++i)
    e.value[i] = intern(static_cast<field>(i), field_value(t, static_cast<field>(i)));
  window_.push_back(e);
  window_spend_ += e.amount;
  stats_dirty_ = true;
}

std::size_t user_history::count_of(field f, std::string_view value) const {
  const auto& d = dict_[static_cast<std::size_t>(f)];
  for (std::size_t i = 0; i < d.values.size(); ++i)
    if (d.values[i] == value)
      return d.counts[i];
  return 0;
}

double user_history::amount_percentile(double p) const {
  if (window_.empty())
    return 0;
  std::vector<float> a;
  a.reserve(window_.size());
  for (const auto& e : window_)
    a.push_back(e.amount);
  auto k = static_cast<std::size_t>(std::clamp(p, 0.0, 1.0) * static_cast<double>(a.size() - 1));
  std::nth_element(a.begin(), a.begin() + static_cast<long>(k), a.end());
  return a[k];
}

std::vector<std::pair<std::string, std::size_t>> user_history::top_values(field f,
                                                                          std::size_t n) const {
  const auto& d = dict_[static_cast<std::size_t>(f)];
  std::vector<std::pair<std::string, std::size_t>> out;
  for (std::size_t i = 0; i < d.values.size(); ++i)
    if (d.counts[i] > 0)
      out.emplace_back(d.values[i], d.counts[i]);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (out.size() > n)
    out.resize(n);
  return out;
}

std::array<std::uint16_t, 24> user_history::hour_histogram() const {
  std::array<std::uint16_t, 24> h{};
  for (const auto& e : window_)
    ++h[static_cast<std::size_t>(hour_of_day(e.timestamp))];
  return h;
}

void user_history::restore(std::size_t capacity, std::deque<entry> window,
                           std::deque<recent> recent, std::array<dictionary, field_count> dict) {
  capacity_ = capacity;
  window_ = std::move(window);
  recent_ = std::move(recent);
  dict_ = std::move(dict);
  sorted_logs_.clear();
  window_spend_ = 0;
  for (const auto& e : window_) {
    sorted_logs_.push_back(std::log1p(static_cast<double>(e.amount)));
    window_spend_ += e.amount;
  }
  std::sort(sorted_logs_.begin(), sorted_logs_.end());
  stats_dirty_ = true;
}

bool operator==(const user_history& a, const user_history& b) {
  if (a.capacity_ != b.capacity_ || a.window_.size() != b.window_.size() ||
      a.recent_.size() != b.recent_.size())
    return false;
  for (std::size_t i = 0; i < a.window_.size(); ++i) {
    const auto& x = a.window_[i];
    const auto& y = b.window_[i];
    if (x.timestamp != y.timestamp || x.amount != y.amount || x.value != y.value)
      return false;
  }
  for (std::size_t i = 0; i < a.recent_.size(); ++i)
    if (a.recent_[i].timestamp != b.recent_[i].timestamp ||
        a.recent_[i].country != b.recent_[i].country)
      return false;
  for (std::size_t f = 0; f < field_count; ++f)
    if (a.dict_[f].values != b.dict_[f].values || a.dict_[f].counts != b.dict_[f].counts)
      return false;
  return true;
}

} // namespace rtad::models
