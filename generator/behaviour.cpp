#include "generator/behaviour.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace rtad::gen {

namespace {

constexpr double favourite_merchant_share = 0.6; ///< people return to the same shops
constexpr int favourites_per_category = 3;
constexpr double travel_category_share = 0.3; ///< abroad, some spending goes to travel itself
constexpr double flight_speed_kmh = 800;
constexpr double airport_overhead_h = 2;
constexpr double yearly_tail_z_min = 1.5;
constexpr double yearly_tail_z_max = 3.5;
constexpr double days_per_year = 365;

int favourite_merchant(const user_profile& u, std::uint8_t category, rng& r) {
  const auto j = r.below(favourites_per_category);
  return static_cast<int>(derive_seed(std::uint64_t{u.index} * 64 + category, j) %
                          merchants_per_category);
}

std::uint8_t travel_category(rng& r) {
  static const std::uint8_t options[] = {static_cast<std::uint8_t>(category_index("restaurants")),
                                         static_cast<std::uint8_t>(category_index("hotels")),
                                         static_cast<std::uint8_t>(category_index("transport"))};
  return options[r.below(3)];
}

template <class T>
T pick(const preference<T>& p, rng& r) {
  return p.items[r.weighted(p.weights.data(), p.weights.size())];
}

} // namespace

double usual_amount_usd(const user_profile& u, rng& r) {
  return r.lognormal(u.amount_mu, u.amount_sigma);
}

double yearly_tail_z(const user_profile& u) {
  const double per_year = std::max(2.0, u.rate_per_day * days_per_year);
  return std::clamp(normal_quantile(1.0 - 1.0 / per_year), yearly_tail_z_min, yearly_tail_z_max);
}

draft genuine_draft(const user_profile& u, user_state& s, std::uint8_t country) {
  auto& r = s.random;
  draft d;
  d.kind = event_kind::genuine;
  d.country = country;
  const bool abroad = country != u.home;
  d.category =
    abroad && r.chance(travel_category_share) ? travel_category(r) : pick(u.categories, r);
  d.merchant = !abroad && r.chance(favourite_merchant_share)
                 ? favourite_merchant(u, d.category, r)
                 : static_cast<int>(r.below(merchants_per_category));
  d.amount_usd = usual_amount_usd(u, r);
  d.pay = pick(u.payments, r);
  auto dev_index = s.new_device_remaining > 0
                     ? static_cast<std::size_t>(s.new_device)
                     : r.weighted(u.devices.weights.data(), u.devices.weights.size());
  d.dev = u.devices.items[dev_index];
  const auto& c = countries()[country];
  // At home each device keeps its address; abroad it is the hotel's or a roaming one.
  d.ip = abroad ? address_in(c, static_cast<std::uint32_t>(r.next()))
                : address_in(c, u.ip_host + static_cast<std::uint32_t>(dev_index));
  return d;
}

int local_hour(std::int64_t start_epoch_s, std::int64_t at_ms, const country& c) {
  constexpr std::int64_t s_per_hour = 3600;
  std::int64_t hours = (start_epoch_s + at_ms / 1000) / s_per_hour + c.utc_offset_h;
  return static_cast<int>(((hours % 24) + 24) % 24);
}

std::int64_t next_arrival_ms(const user_profile& u, rng& r, std::int64_t start_epoch_s,
                             std::int64_t after_ms, const country& c) {
  // Thinning (Lewis & Shedler): candidates at the peak rate, each kept with
  // the activity of its hour, which gives rate_per_day on average.
  const double peak_per_ms = u.rate_per_day / u.mean_hour_weight / static_cast<double>(ms_per_day);
  std::int64_t t = after_ms;
  for (;;) {
    t += 1 + static_cast<std::int64_t>(r.exponential(1.0 / peak_per_ms));
    if (r.uniform() < u.hour_weight[local_hour(start_epoch_s, t, c)])
      return t;
  }
}

std::int64_t travel_time_ms(const country& from, const country& to) {
  if (std::strcmp(from.code, to.code) == 0)
    return 0;
  const double hours = airport_overhead_h + distance_km(from, to) / flight_speed_kmh;
  return static_cast<std::int64_t>(hours * static_cast<double>(ms_per_hour));
}

double normal_quantile(double p) {
  // Acklam's algorithm: rational approximations in the centre and the tails.
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  constexpr double p_low = 0.02425;
  if (p < p_low) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - p_low) {
    const double q = std::sqrt(-2 * std::log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double q = p - 0.5;
  const double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

} // namespace rtad::gen
