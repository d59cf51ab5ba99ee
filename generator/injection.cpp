#include "generator/injection.hpp"

#include "generator/behaviour.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace rtad::gen {

namespace {

constexpr std::int64_t ms_per_s = 1000;
constexpr std::int64_t ms_per_min = 60 * ms_per_s;

// Account takeover: "high for this user" is 3.5-5.5 of their own log-space
// deviations above the median, and at least five times the median.
constexpr double takeover_z_lo = 3.5, takeover_z_hi = 5.5, takeover_min_factor = 5;
// Amount spike: well past the user's yearly tail and at least ten times the
// median; what a student's spike reaches is an ordinary amount for others.
constexpr double spike_z_above_yearly_lo = 2.0, spike_z_above_yearly_hi = 3.5;
constexpr double spike_min_factor = 10;
// Merchant-category shift: share going to cash-out categories.
constexpr double shift_to_cash_out_share = 0.75;
// Card testing: tiny amounts, often round, seconds apart.
constexpr double card_test_usd_lo = 0.5, card_test_usd_hi = 3.0, card_test_round_share = 0.4;
constexpr double card_test_home_share = 0.5;
// A benign trip goes where the user has never been, and lasts 3-8 transactions.
constexpr int trip_min = 3, trip_max = 8;
constexpr double new_device_weight_share = 0.5; ///< of the favourite device's weight, once kept

std::uint8_t any_of(rng& r, std::initializer_list<const char*> names) {
  std::vector<const char*> v(names);
  return static_cast<std::uint8_t>(category_index(v[r.below(v.size())]));
}

// A country other than the user's home, second and current one.
std::uint8_t foreign_country(const user_profile& u, const user_state& s, rng& r) {
  const auto n = countries().size();
  for (;;) {
    auto c = static_cast<int>(r.below(n));
    if (c != u.home && c != u.second && c != s.away_country && c != s.last_country)
      return static_cast<std::uint8_t>(c);
  }
}

std::uint8_t far_country(const country& from, rng& r) {
  std::vector<std::uint8_t> far;
  for (std::size_t i = 0; i < countries().size(); ++i)
    if (distance_km(from, countries()[i]) >= far_apart_km)
      far.push_back(static_cast<std::uint8_t>(i));
  return far[r.below(far.size())]; // every country has some 5000 km away
}

device unused_device(const user_profile& u, const user_state& s, rng& r) {
  std::vector<device> unused;
  for (std::size_t i = 0; i < device_count; ++i) {
    auto d = static_cast<device>(i);
    // A takeover under way keeps its device foreign: the user must not buy
    // the same type in the meantime.
    const bool takeover_device =
      s.fraud.kind == event_kind::account_takeover && s.fraud.pattern.dev == d;
    if (!u.devices.contains(d) && !takeover_device)
      unused.push_back(d);
  }
  return unused[r.below(unused.size())];
}

// Mostly where stolen cards are cashed out (gift cards, crypto, gambling,
// jewellery, electronics): rare in everyday traffic, so a detector can know
// them. Otherwise any category the user never uses: some shifts are subtle.
std::uint8_t unused_category(const user_profile& u, rng& r) {
  std::vector<std::uint8_t> risky, other;
  for (std::size_t i = 0; i < categories().size(); ++i) {
    auto c = static_cast<std::uint8_t>(i);
    if (!u.categories.contains(c))
      (categories()[i].risky ? risky : other).push_back(c);
  }
  const auto& pool =
    !risky.empty() && (other.empty() || r.chance(shift_to_cash_out_share)) ? risky : other;
  return pool[r.below(pool.size())];
}

payment card_of(const user_profile& u) {
  for (auto p : u.payments.items)
    if (p != payment::mobile_wallet && p != payment::bank_transfer)
      return p;
  return payment::credit_card;
}

double median_usd(const user_profile& u) {
  return std::exp(u.amount_mu);
}

} // namespace

bool has_unused_device(const user_profile& u, const user_state& s) {
  const std::size_t reserved = s.fraud.kind == event_kind::account_takeover ? 1 : 0;
  return u.devices.items.size() + reserved < device_count;
}

std::int64_t start_fraud(event_kind k, const user_profile& u, user_state& s, std::int64_t now_ms) {
  auto& r = s.random;
  auto& e = s.fraud;
  e.kind = k;
  e.pattern = genuine_draft(u, s, s.last_country); // the user's look, then changed below
  e.pattern.kind = k;
  const auto& here = countries()[s.last_country];
  std::int64_t start_after_ms = static_cast<std::int64_t>(r.uniform(0.5, 12) * ms_per_hour);
  switch (k) {
  case event_kind::account_takeover: {
    e.remaining = r.between(1, 3);
    e.gap_min_ms = 2 * ms_per_min, e.gap_max_ms = 20 * ms_per_min;
    start_after_ms = static_cast<std::int64_t>(r.uniform(1, 24) * ms_per_hour);
    e.pattern.country = foreign_country(u, s, r);
    e.pattern.dev = unused_device(u, s, r);
    e.pattern.ip = address_in(countries()[e.pattern.country], static_cast<std::uint32_t>(r.next()));
    e.pattern.category = any_of(r, {"electronics", "jewelry", "gift_cards", "crypto_exchange"});
    e.pattern.merchant = static_cast<int>(r.below(merchants_per_category));
    e.pattern.pay = card_of(u);
    break;
  }
  case event_kind::card_testing: {
    e.remaining = r.between(5, 15);
    e.gap_min_ms = 5 * ms_per_s, e.gap_max_ms = 60 * ms_per_s;
    e.pattern.country = r.chance(card_test_home_share) ? u.home : foreign_country(u, s, r);
    e.pattern.dev = device::desktop; // a script, not a person
    e.pattern.ip = address_in(countries()[e.pattern.country], static_cast<std::uint32_t>(r.next()));
    e.pattern.category = any_of(r, {"digital_goods", "charity", "online_shopping"});
    e.pattern.merchant = static_cast<int>(r.below(merchants_per_category));
    e.pattern.pay = card_of(u);
    break;
  }
  case event_kind::merchant_category_shift: {
    e.remaining = r.between(1, 3);
    e.gap_min_ms = 5 * ms_per_min, e.gap_max_ms = 40 * ms_per_min;
    e.pattern.category = unused_category(u, r);
    e.pattern.merchant = static_cast<int>(r.below(merchants_per_category));
    break;
  }
  case event_kind::amount_spike: {
    e.remaining = 1;
    // One of the user's own categories, even abroad: only the amount is off.
    e.pattern.category =
      u.categories.items[r.weighted(u.categories.weights.data(), u.categories.weights.size())];
    const double z = yearly_tail_z(u) + r.uniform(spike_z_above_yearly_lo, spike_z_above_yearly_hi);
    e.pattern.amount_usd = median_usd(u) * std::max(spike_min_factor, std::exp(u.amount_sigma * z));
    break;
  }
  case event_kind::impossible_travel: {
    e.remaining = 1;
    start_after_ms = static_cast<std::int64_t>(r.uniform(2, 30) * ms_per_min);
    e.pattern.country = far_country(here, r);
    e.pattern.ip = address_in(countries()[e.pattern.country], static_cast<std::uint32_t>(r.next()));
    e.pattern.merchant = static_cast<int>(r.below(merchants_per_category));
    break;
  }
  default:
    e.remaining = 0;
    break;
  }
  return now_ms + start_after_ms;
}

draft next_fraud_draft(const user_profile& u, user_state& s) {
  auto& r = s.random;
  auto& e = s.fraud;
  draft d = e.pattern;
  switch (e.kind) {
  case event_kind::account_takeover:
    d.amount_usd =
      median_usd(u) * std::max(takeover_min_factor,
                               std::exp(u.amount_sigma * r.uniform(takeover_z_lo, takeover_z_hi)));
    break;
  case event_kind::card_testing:
    d.amount_usd = r.chance(card_test_round_share) ? static_cast<double>(r.between(1, 2))
                                                   : r.uniform(card_test_usd_lo, card_test_usd_hi);
    break;
  case event_kind::merchant_category_shift:
  case event_kind::impossible_travel:
    d.amount_usd = usual_amount_usd(u, r);
    break;
  default:
    break; // amount_spike keeps its amount
  }
  if (--e.remaining == 0)
    e.kind = event_kind::genuine;
  return d;
}

std::int64_t fraud_gap_ms(user_state& s) {
  return static_cast<std::int64_t>(s.random.uniform(static_cast<double>(s.fraud.gap_min_ms),
                                                    static_cast<double>(s.fraud.gap_max_ms)));
}

draft large_purchase_draft(const user_profile& u, user_state& s, std::uint8_t country) {
  constexpr double jitter_z = 0.3;
  draft d = genuine_draft(u, s, country);
  d.kind = event_kind::benign_large_purchase;
  d.amount_usd =
    median_usd(u) *
    std::exp(u.amount_sigma * (yearly_tail_z(u) + s.random.uniform(-jitter_z, jitter_z)));
  return d;
}

void start_trip(const user_profile& u, user_state& s) {
  s.away_country = foreign_country(u, s, s.random);
  s.away_remaining = s.random.between(trip_min, trip_max);
  s.away_is_trip = true;
}

void start_new_device(user_profile& u, user_state& s) {
  const auto d = unused_device(u, s, s.random);
  const double top = *std::max_element(u.devices.weights.begin(), u.devices.weights.end());
  u.devices.items.push_back(d);
  u.devices.weights.push_back(top * new_device_weight_share);
  s.new_device = static_cast<int>(u.devices.items.size() - 1);
  s.new_device_remaining = s.random.between(1, 3);
}

} // namespace rtad::gen
