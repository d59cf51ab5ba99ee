#define BOOST_TEST_MODULE injected fraud and benign surprises
#include "generator/behaviour.hpp"
#include "generator/stream.hpp"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <map>
#include <set>

using namespace rtad;
using namespace rtad::gen;

namespace {

/// One generated transaction with what the test needs to judge it.
struct seen_tx {
  transaction t;
  event_kind kind;
};

/// A stream rich in every kind, and what each user did before each event.
struct fixture {
  std::vector<seen_tx> txs;
  std::vector<user_profile> users;
  std::map<std::string, std::size_t> index_of;
  std::map<std::string, std::vector<std::size_t>> positions; ///< per user, in stream order

  fixture() {
    stream_params p;
    p.users = 400;
    p.seed = 11;
    for (auto k : injected_kinds)
      p.fractions[static_cast<std::size_t>(k)] = 0.01;
    transaction_stream s(p);
    for (int i = 0; i < 150000; ++i) {
      const auto& t = s.next();
      positions[t.user_id].push_back(txs.size());
      txs.push_back({t, s.last_kind()});
    }
    users = s.users();
    for (std::size_t i = 0; i < users.size(); ++i)
      index_of[users[i].id] = i;
  }

  const user_profile& user(const transaction& t) const { return users[index_of.at(t.user_id)]; }

  /// The user's median amount in their billing currency.
  double median(const transaction& t) const {
    const auto& u = user(t);
    return std::exp(u.amount_mu) * countries()[u.home].units_per_usd;
  }

  /// Whether `amount` is within `z` of the user's own log-space spread.
  bool usual(const transaction& t, double z = 4.5) const {
    return std::fabs(std::log(t.amount / median(t))) <= z * user(t).amount_sigma + 0.02;
  }

  const country& at(const transaction& t) const { return countries()[country_index(t.location)]; }
  const country& home(const transaction& t) const { return countries()[user(t).home]; }
  bool second(const transaction& t) const {
    return user(t).second >= 0 &&
           country_index(t.location) == static_cast<std::size_t>(user(t).second);
  }
};

const fixture& data() {
  static const fixture f;
  return f;
}

template <class F>
int for_each_of(event_kind k, F f) {
  int n = 0;
  for (std::size_t i = 0; i < data().txs.size(); ++i)
    if (data().txs[i].kind == k) {
      f(i, data().txs[i].t);
      ++n;
    }
  return n;
}

// The user's genuine transactions before position `i`.
std::vector<const transaction*> history(std::size_t i, const std::string& user) {
  std::vector<const transaction*> h;
  for (auto j : data().positions.at(user))
    if (j < i && !is_fraud(data().txs[j].kind))
      h.push_back(&data().txs[j].t);
  return h;
}

} // namespace

BOOST_AUTO_TEST_CASE(account_takeover_brings_a_new_device_a_new_country_and_a_high_amount) {
  const auto& f = data();
  int n = for_each_of(event_kind::account_takeover, [&](std::size_t i, const transaction& t) {
    std::set<std::string> devices;
    for (auto* h : history(i, t.user_id))
      devices.insert(h->device_type);
    BOOST_TEST(devices.count(t.device_type) == 0u, t.device_type << " already used");
    BOOST_TEST(t.location != f.home(t).code);
    BOOST_TEST(!f.second(t));
    BOOST_TEST(t.amount >= 4.99 * f.median(t));
    BOOST_TEST(t.anomalous == 1);
  });
  BOOST_TEST(n > 100);
}

BOOST_AUTO_TEST_CASE(card_testing_is_a_burst_of_small_amounts_seconds_apart) {
  std::map<std::string, std::vector<std::int64_t>> times;
  int n = for_each_of(event_kind::card_testing, [&](std::size_t, const transaction& t) {
    const double usd = t.amount / countries()[data().user(t).home].units_per_usd;
    BOOST_TEST(usd <= 3.01);
    BOOST_TEST(categories()[category_index(t.merchant_category)].online);
    times[t.user_id].push_back(t.timestamp);
  });
  BOOST_TEST(n > 100);
  int bursts = 0;
  for (const auto& [user, ts] : times) {
    std::size_t run = 1;
    for (std::size_t i = 1; i <= ts.size(); ++i) {
      if (i < ts.size() && ts[i] - ts[i - 1] <= 60) {
        ++run;
        continue;
      }
      if (i < ts.size() || run >= 5) // only the stream's last burst may be cut short
        BOOST_TEST(run >= 5u);
      ++bursts;
      run = 1;
    }
  }
  BOOST_TEST(bursts > 10);
}

BOOST_AUTO_TEST_CASE(a_category_shift_goes_where_the_user_never_shops_for_usual_amounts) {
  const auto& f = data();
  int n = for_each_of(event_kind::merchant_category_shift, [&](std::size_t, const transaction& t) {
    const auto c = static_cast<std::uint8_t>(category_index(t.merchant_category));
    BOOST_TEST(!f.user(t).categories.contains(c));
    BOOST_TEST(f.usual(t));
  });
  BOOST_TEST(n > 100);
}

BOOST_AUTO_TEST_CASE(an_amount_spike_is_ten_times_the_user_median_and_usual_otherwise) {
  const auto& f = data();
  std::vector<double> spikes;
  int n = for_each_of(event_kind::amount_spike, [&](std::size_t, const transaction& t) {
    BOOST_TEST(t.amount >= 9.99 * f.median(t));
    BOOST_TEST(f.user(t).categories.contains(
      static_cast<std::uint8_t>(category_index(t.merchant_category))));
    spikes.push_back(t.amount / countries()[f.user(t).home].units_per_usd);
  });
  BOOST_TEST(n > 100);
  // Normal for others: most spikes stay below what business accounts spend every day.
  std::sort(spikes.begin(), spikes.end());
  BOOST_TEST(spikes[spikes.size() / 2] < 5000);
}

BOOST_AUTO_TEST_CASE(impossible_travel_is_far_away_minutes_after_the_users_own_transaction) {
  int n = for_each_of(event_kind::impossible_travel, [&](std::size_t i, const transaction& t) {
    auto h = history(i, t.user_id);
    BOOST_REQUIRE(!h.empty());
    const auto& before = *h.back();
    BOOST_TEST(t.timestamp - before.timestamp <= 30 * 60);
    BOOST_TEST(distance_km(countries()[country_index(before.location)],
                           countries()[country_index(t.location)]) >= far_apart_km);
    BOOST_TEST(data().usual(t));
  });
  BOOST_TEST(n > 100);
}

BOOST_AUTO_TEST_CASE(no_genuine_journey_is_faster_than_a_flight) {
  std::map<std::string, const transaction*> last;
  int journeys = 0;
  for (const auto& s : data().txs) {
    if (is_fraud(s.kind))
      continue;
    auto& prev = last[s.t.user_id];
    if (prev && prev->location != s.t.location) {
      const auto& a = countries()[country_index(prev->location)];
      const auto& b = countries()[country_index(s.t.location)];
      BOOST_TEST(s.t.timestamp - prev->timestamp >= travel_time_ms(a, b) / 1000 - 1);
      ++journeys;
    }
    prev = &s.t;
  }
  BOOST_TEST(journeys > 100);
}

BOOST_AUTO_TEST_CASE(a_benign_trip_is_a_new_country_with_usual_amounts) {
  const auto& f = data();
  int n = for_each_of(event_kind::benign_trip, [&](std::size_t, const transaction& t) {
    BOOST_TEST(t.location != f.home(t).code);
    BOOST_TEST(!f.second(t));
    BOOST_TEST(f.usual(t));
    BOOST_TEST(t.anomalous == 0);
  });
  BOOST_TEST(n > 100);
}

BOOST_AUTO_TEST_CASE(a_large_purchase_is_in_the_users_own_yearly_tail) {
  const auto& f = data();
  int n = for_each_of(event_kind::benign_large_purchase, [&](std::size_t, const transaction& t) {
    const auto& u = f.user(t);
    const double z = std::log(t.amount / f.median(t)) / u.amount_sigma;
    BOOST_TEST(z >= yearly_tail_z(u) - 0.35);
    BOOST_TEST(z <= yearly_tail_z(u) + 0.35);
    BOOST_TEST(t.anomalous == 0);
  });
  BOOST_TEST(n > 100);
}

BOOST_AUTO_TEST_CASE(a_new_device_is_new_at_first_and_kept_afterwards) {
  int kept = 0;
  std::set<std::pair<std::string, std::string>> firsts;
  int n = for_each_of(event_kind::benign_new_device, [&](std::size_t i, const transaction& t) {
    if (!firsts.insert({t.user_id, t.device_type}).second)
      return; // the second or third use of the same new device
    for (auto* h : history(i, t.user_id))
      BOOST_TEST(h->device_type != t.device_type);
    for (auto j : data().positions.at(t.user_id))
      if (j > i && data().txs[j].kind == event_kind::genuine &&
          data().txs[j].t.device_type == t.device_type) {
        ++kept;
        break;
      }
  });
  BOOST_TEST(n > 100);
  BOOST_TEST(kept > static_cast<int>(firsts.size()) / 2);
}
