#include "generator/population.hpp"

#include "generator/random.hpp"

#include <algorithm>
#include <cmath>

namespace rtad::gen {

namespace {

/// What users of one segment have in common; each user draws within it.
struct segment_spec {
  segment kind;
  double share;                        ///< of the population
  double median_usd_lo, median_usd_hi; ///< log-uniform
  double sigma_lo, sigma_hi;
  double rate_per_day_lo, rate_per_day_hi; ///< log-uniform
  double peak_hour_lo, peak_hour_hi;       ///< local time
  double second_country_share;
  std::vector<const char*> categories;
  std::vector<payment> payments;
  std::vector<double> payment_weights;
  std::vector<device> devices;
  std::vector<double> device_weights;
};

const std::vector<segment_spec>& segment_specs() {
  using p = payment;
  using d = device;
  static const std::vector<segment_spec> specs = {
    {segment::student,
     0.25,
     6,
     25,
     0.35,
     0.6,
     0.5,
     4,
     17,
     22,
     0.10,
     {"groceries", "coffee_shops", "restaurants", "transport", "entertainment", "online_shopping",
      "subscriptions", "clothing"},
     {p::debit_card, p::mobile_wallet, p::prepaid_card},
     {5, 4, 1},
     {d::mobile, d::tablet, d::desktop},
     {8, 1, 2}},
    {segment::regular,
     0.42,
     25,
     90,
     0.4,
     0.65,
     0.3,
     3,
     11,
     19,
     0.15,
     {"groceries", "restaurants", "fuel", "pharmacy", "clothing", "utilities", "online_shopping",
      "entertainment", "transport", "home_improvement"},
     {p::credit_card, p::debit_card, p::mobile_wallet},
     {4, 4, 2},
     {d::mobile, d::desktop, d::pos_terminal, d::tablet},
     {5, 2, 3, 1}},
    {segment::affluent,
     0.15,
     90,
     400,
     0.45,
     0.7,
     0.5,
     5,
     10,
     20,
     0.35,
     {"restaurants", "travel", "hotels", "clothing", "electronics", "groceries", "entertainment",
      "online_shopping", "jewelry"},
     {p::credit_card, p::mobile_wallet},
     {6, 3},
     {d::mobile, d::desktop, d::tablet, d::smartwatch},
     {5, 2, 2, 1}},
    {segment::business,
     0.05,
     800,
     6000,
     0.35,
     0.6,
     3,
     25,
     9,
     16,
     0.30,
     {"office_supplies", "wholesale", "software", "logistics", "advertising", "travel",
      "utilities"},
     {p::corporate_card, p::bank_transfer},
     {6, 4},
     {d::desktop, d::mobile},
     {8, 2}},
    {segment::occasional,
     0.13,
     15,
     120,
     0.4,
     0.7,
     0.05,
     0.3,
     10,
     20,
     0.05,
     {"groceries", "online_shopping", "utilities", "clothing", "pharmacy"},
     {p::debit_card, p::credit_card},
     {5, 5},
     {d::mobile, d::desktop},
     {6, 4}},
  };
  return specs;
}

// Activity per local hour: a main peak, a smaller earlier one (lunch), and a
// low floor so night-time transactions are rare, not impossible.
constexpr double night_floor = 0.02;
constexpr double second_peak_weight = 0.5;

void draw_hours(rng& r, const segment_spec& s, user_profile& u) {
  const double peak = r.uniform(s.peak_hour_lo, s.peak_hour_hi);
  const double early = peak - r.uniform(4, 8);
  const double spread_h = r.uniform(1.5, 3.5);
  auto bump = [&](double centre, double h) {
    double d = std::fabs(h - centre);
    d = std::min(d, 24 - d); // circular
    return std::exp(-d * d / (2 * spread_h * spread_h));
  };
  double max_w = 0;
  for (int h = 0; h < 24; ++h) {
    double w = night_floor + bump(peak, h + 0.5) + second_peak_weight * bump(early, h + 0.5);
    u.hour_weight[h] = static_cast<float>(w);
    max_w = std::max(max_w, w);
  }
  double sum = 0;
  for (auto& w : u.hour_weight) {
    w = static_cast<float>(w / max_w);
    sum += w;
  }
  u.mean_hour_weight = sum / 24;
}

// Picks `k` distinct items of a pool, each with a random weight; squaring
// makes habits uneven (one favourite, a few others), as people are.
template <class T>
preference<T> draw_preference(rng& r, const std::vector<T>& pool,
                              const std::vector<double>& pool_weights, int k) {
  preference<T> pref;
  std::vector<double> w = pool_weights;
  k = std::min<int>(k, static_cast<int>(pool.size()));
  for (int i = 0; i < k; ++i) {
    auto at = r.weighted(w.data(), w.size());
    pref.items.push_back(pool[at]);
    double u = r.uniform(0.2, 1.0);
    pref.weights.push_back(u * u);
    w[at] = 0;
  }
  return pref;
}

std::size_t draw_country(rng& r) {
  const auto& cs = countries();
  std::vector<double> w;
  for (const auto& c : cs)
    w.push_back(c.home_weight);
  return r.weighted(w.data(), w.size());
}

} // namespace

const char* to_string(segment s) {
  static const char* const names[segment_count] = {"student", "regular", "affluent", "business",
                                                   "occasional"};
  return names[static_cast<std::size_t>(s)];
}

user_profile make_user(std::uint64_t seed, std::uint32_t index) {
  rng r(derive_seed(seed, index));
  const auto& specs = segment_specs();
  std::vector<double> shares;
  for (const auto& s : specs)
    shares.push_back(s.share);
  const auto& s = specs[r.weighted(shares.data(), shares.size())];

  user_profile u;
  u.index = index;
  u.id = "u" + std::to_string(index);
  u.kind = s.kind;
  u.home = static_cast<std::uint8_t>(draw_country(r));
  if (r.chance(s.second_country_share)) {
    auto other = draw_country(r);
    if (other != u.home)
      u.second = static_cast<int>(other);
  }
  u.rate_per_day = r.log_uniform(s.rate_per_day_lo, s.rate_per_day_hi);
  u.amount_mu = std::log(r.log_uniform(s.median_usd_lo, s.median_usd_hi));
  u.amount_sigma = r.uniform(s.sigma_lo, s.sigma_hi);
  draw_hours(r, s, u);

  std::vector<std::uint8_t> pool;
  for (const auto* name : s.categories)
    pool.push_back(static_cast<std::uint8_t>(category_index(name)));
  u.categories = draw_preference(r, pool, std::vector<double>(pool.size(), 1.0), r.between(3, 6));
  u.payments = draw_preference(r, s.payments, s.payment_weights, r.between(1, 2));
  u.devices = draw_preference(r, s.devices, s.device_weights, r.between(1, 2));
  u.ip_host = static_cast<std::uint32_t>(r.next() & 0xffffff);
  return u;
}

std::vector<user_profile> make_population(const population_params& p) {
  std::vector<user_profile> users;
  users.reserve(p.users);
  for (std::size_t i = 0; i < p.users; ++i)
    users.push_back(make_user(p.seed, static_cast<std::uint32_t>(i)));
  return users;
}

double total_rate_per_day(const std::vector<user_profile>& users) {
  double sum = 0;
  for (const auto& u : users)
    sum += u.rate_per_day;
  return sum;
}

} // namespace rtad::gen
