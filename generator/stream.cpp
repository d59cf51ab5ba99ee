#include "generator/stream.hpp"

#include "generator/behaviour.hpp"
#include "generator/injection.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace rtad::gen {

namespace {

constexpr double mean_stay_length = 6.5; ///< transactions per stay in the second country
constexpr int stay_min = 3, stay_max = 10;
constexpr double max_total_fraction = 0.5; ///< beyond this the users are no longer themselves
constexpr double max_catch_up = 2.0;       ///< an owed kind comes at most this many times its rate
constexpr std::int64_t max_cents = 100'000'000'000;     ///< codec's absurd-amount limit, 1e9
constexpr std::uint64_t transaction_id_stream = 0x7478; ///< keeps ids apart from user seeds

std::size_t idx(event_kind k) {
  return static_cast<std::size_t>(k);
}

std::string text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

constexpr std::array<event_kind, 5> fraud_kinds = {
  event_kind::account_takeover, event_kind::card_testing, event_kind::merchant_category_shift,
  event_kind::amount_spike, event_kind::impossible_travel};
constexpr std::array<event_kind, 3> benign_kinds = {
  event_kind::benign_trip, event_kind::benign_large_purchase, event_kind::benign_new_device};

const char* transaction_type(const draft& d) {
  if (d.pay == payment::bank_transfer)
    return "transfer";
  static const auto subscriptions = category_index("subscriptions");
  if (d.category == subscriptions)
    return "subscription";
  return categories()[d.category].online ? "online_purchase" : "purchase";
}

} // namespace

void validate(const stream_params& p) {
  if (p.users == 0)
    throw std::invalid_argument("users must be at least 1");
  if (!(p.time_scale > 0) || !std::isfinite(p.time_scale))
    throw std::invalid_argument("time scale must be a positive number, got " + text(p.time_scale));
  double total = 0;
  for (auto k : injected_kinds) {
    double f = p.fractions[idx(k)];
    if (!(f >= 0 && f < 1))
      throw std::invalid_argument(std::string("fraction of ") + to_string(k) +
                                  " must be in [0, 1), got " + text(f));
    total += f;
  }
  if (total > max_total_fraction)
    throw std::invalid_argument("fractions add up to " + text(total) +
                                "; at most 0.5 of the stream can be injected");
}

transaction_stream::transaction_stream(const stream_params& p)
    : params_(p), random_(derive_seed(p.seed, ~std::uint64_t{0})) {
  validate(p);
  users_ = make_population({p.seed, p.users});
  states_.resize(users_.size());
  for (const auto& c : categories()) {
    const auto ci = static_cast<std::size_t>(&c - categories().data());
    for (int n = 0; n < merchants_per_category; ++n) {
      merchant_ids_.push_back(merchant_id(ci, n));
      merchant_names_.push_back(merchant_name(ci, n));
    }
  }
  for (std::uint32_t i = 0; i < users_.size(); ++i) {
    auto& s = states_[i];
    // A stream apart from the one that drew the profile: adding a kind of
    // event later must not change who the users are.
    s.random = rng(derive_seed(p.seed ^ 0x5eed, i));
    s.last_country = users_[i].home;
    schedule(next_arrival_ms(users_[i], s.random, p.start_epoch_s, 0, countries()[s.last_country]),
             i, false);
  }
}

void transaction_stream::schedule(std::int64_t at_ms, std::uint32_t user, bool fraud) {
  queue_.push({at_ms, seq_++, user, fraud});
}

const transaction& transaction_stream::next() {
  const auto e = queue_.top();
  queue_.pop();
  now_ms_ = e.at_ms;
  const draft d = e.fraud ? fraud_event(e.user) : genuine_event(e.user);
  fill(d, users_[e.user]);
  last_kind_ = d.kind;
  ++by_kind_[idx(d.kind)];
  ++emitted_;
  return tx_;
}

bool transaction_stream::owed(event_kind k) const {
  // Deficit scheduling: start an episode once the kind is half an episode
  // behind its share, so each kind stays within one episode of its fraction.
  const double f = params_.fractions[idx(k)];
  const double target = f * static_cast<double>(emitted_ + 1);
  const double have = static_cast<double>(by_kind_[idx(k)] + committed_[idx(k)]);
  if (f <= 0 || target - have < mean_episode_length(k) / 2)
    return false;
  // Nobody is a victim before having a history, so a deficit builds up at
  // first; it is paid back at most max_catch_up times faster than the set
  // rate, not in one flood right after the warm-up.
  const double min_spacing = mean_episode_length(k) / (f * max_catch_up);
  return static_cast<double>(emitted_ - last_start_[idx(k)]) >= min_spacing;
}

bool transaction_stream::eligible(const user_state& s) const {
  return s.genuine_count >= params_.victim_min_history;
}

void transaction_stream::maybe_start_surprise(user_profile& u, user_state& s, bool& large_purchase,
                                              bool& trip) {
  if (!eligible(s) || s.away_remaining > 0 || s.new_device_remaining > 0)
    return;
  const auto first = random_.below(benign_kinds.size());
  for (std::size_t i = 0; i < benign_kinds.size(); ++i) {
    const auto k = benign_kinds[(first + i) % benign_kinds.size()];
    if (!owed(k))
      continue;
    switch (k) {
    case event_kind::benign_trip:
      trip = true;
      started(k);
      return;
    case event_kind::benign_large_purchase:
      large_purchase = true;
      started(k);
      return;
    case event_kind::benign_new_device:
      if (!has_unused_device(u, s))
        continue;
      start_new_device(u, s);
      committed_[idx(k)] += static_cast<std::uint64_t>(s.new_device_remaining);
      started(k);
      return;
    default:
      break;
    }
  }
}

draft transaction_stream::genuine_event(std::uint32_t user) {
  auto& u = users_[user];
  auto& s = states_[user];
  bool large_purchase = false, trip = false;
  maybe_start_surprise(u, s, large_purchase, trip);
  const bool abroad = s.away_remaining > 0;
  const auto here = static_cast<std::uint8_t>(abroad ? s.away_country : u.home);

  draft d = large_purchase ? large_purchase_draft(u, s, here) : genuine_draft(u, s, here);
  if (abroad) {
    if (s.away_is_trip) {
      d.kind = event_kind::benign_trip;
      --committed_[idx(d.kind)];
    }
    --s.away_remaining;
  } else if (s.new_device_remaining > 0) {
    d.kind = event_kind::benign_new_device;
    --committed_[idx(d.kind)];
    if (--s.new_device_remaining == 0)
      s.new_device = -1;
  }
  s.last_country = here;
  ++s.genuine_count;

  // Departures happen after a transaction at home; the flight below keeps
  // the first one abroad hours away, so no genuine trip looks impossible.
  if (trip) {
    start_trip(u, s);
    committed_[idx(event_kind::benign_trip)] += static_cast<std::uint64_t>(s.away_remaining);
  } else if (!abroad && u.second >= 0 && s.new_device_remaining == 0 && !large_purchase &&
             s.random.chance(share_abroad / mean_stay_length / (1 - share_abroad))) {
    s.away_country = u.second; // a usual stay: not a surprise
    s.away_remaining = s.random.between(stay_min, stay_max);
    s.away_is_trip = false;
  }

  maybe_start_fraud(user);

  const auto next_country =
    static_cast<std::uint8_t>(s.away_remaining > 0 ? s.away_country : u.home);
  const auto& from = countries()[here];
  const auto& to = countries()[next_country];
  auto at = next_arrival_ms(u, s.random, params_.start_epoch_s, now_ms_, to);
  at = std::max(at, now_ms_ + travel_time_ms(from, to));
  schedule(at, user, false);
  return d;
}

void transaction_stream::maybe_start_fraud(std::uint32_t user) {
  auto& s = states_[user];
  if (!eligible(s) || s.fraud.kind != event_kind::genuine)
    return;
  const auto first = random_.below(fraud_kinds.size());
  for (std::size_t i = 0; i < fraud_kinds.size(); ++i) {
    const auto k = fraud_kinds[(first + i) % fraud_kinds.size()];
    if (!owed(k))
      continue;
    if (k == event_kind::account_takeover && !has_unused_device(users_[user], s))
      continue;
    const auto at = start_fraud(k, users_[user], s, now_ms_);
    committed_[idx(k)] += static_cast<std::uint64_t>(s.fraud.remaining);
    started(k);
    schedule(at, user, true);
    return;
  }
}

draft transaction_stream::fraud_event(std::uint32_t user) {
  auto& s = states_[user];
  const draft d = next_fraud_draft(users_[user], s);
  --committed_[idx(d.kind)];
  if (s.fraud.remaining > 0)
    schedule(now_ms_ + fraud_gap_ms(s), user, true);
  return d;
}

void transaction_stream::fill(const draft& d, const user_profile& u) {
  const auto& home = countries()[u.home];
  format_transaction_id(params_.seed, emitted_, tx_.transaction_id);
  tx_.user_id = u.id;
  auto cents = std::llround(d.amount_usd * home.units_per_usd * 100);
  cents = std::clamp<std::int64_t>(cents, 1, max_cents);
  tx_.amount = static_cast<double>(cents) / 100.0;
  tx_.currency = home.currency; // the card bills in its own currency, wherever it is used
  tx_.location = countries()[d.country].code;
  tx_.timestamp = params_.start_epoch_s +
                  static_cast<std::int64_t>(
                    std::floor(static_cast<double>(now_ms_) / 1000.0 / params_.time_scale));
  tx_.transaction_type = transaction_type(d);
  const auto m = static_cast<std::size_t>(d.category) * merchants_per_category +
                 static_cast<std::size_t>(d.merchant);
  tx_.merchant_id = merchant_ids_[m];
  tx_.merchant_name = merchant_names_[m];
  tx_.merchant_category = categories()[d.category].name;
  tx_.payment_method = to_string(d.pay);
  tx_.device_type = to_string(d.dev);
  format_ipv4(d.ip, tx_.ip_address);
  tx_.anomalous = is_fraud(d.kind) ? 1 : 0;
  tx_.fraud_type = to_string(d.kind);
}

double expected_span_s(const std::vector<user_profile>& users, std::uint64_t count) {
  constexpr double s_per_day = 86400;
  const double per_day = total_rate_per_day(users);
  return per_day > 0 ? static_cast<double>(count) / per_day * s_per_day : 0;
}

void format_transaction_id(std::uint64_t seed, std::uint64_t sequence, std::string& out) {
  static const char hex[] = "0123456789abcdef";
  std::uint64_t state = derive_seed(seed ^ transaction_id_stream, sequence);
  std::uint64_t hi = splitmix64(state);
  std::uint64_t lo = splitmix64(state);
  hi = (hi & ~0xf000ULL) | 0x4000ULL;                        // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL; // variant 1
  out.resize(36);
  int pos = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20)
      out[static_cast<std::size_t>(pos++)] = '-';
    const std::uint64_t word = i < 16 ? hi : lo;
    const int shift = 60 - 4 * (i % 16);
    out[static_cast<std::size_t>(pos++)] = hex[(word >> shift) & 0xf];
  }
}

void format_ipv4(std::uint32_t ip, std::string& out) {
  char buf[16];
  char* p = buf;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const auto octet = (ip >> shift) & 0xff;
    if (octet >= 100)
      *p++ = static_cast<char>('0' + octet / 100);
    if (octet >= 10)
      *p++ = static_cast<char>('0' + octet / 10 % 10);
    *p++ = static_cast<char>('0' + octet % 10);
    if (shift)
      *p++ = '.';
  }
  out.assign(buf, p);
}

} // namespace rtad::gen
