#define BOOST_TEST_MODULE generated stream
#include "generator/json_writer.hpp"
#include "generator/stream.hpp"

#include <array>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <map>

using namespace rtad;
using namespace rtad::gen;

namespace {

std::string serialise(const stream_params& p, int n) {
  transaction_stream s(p);
  std::string out;
  for (int i = 0; i < n; ++i) {
    append_json(out, s.next());
    out += '\n';
  }
  return out;
}

struct moments {
  double n = 0, sum = 0, sum_sq = 0;
  void add(double x) { n += 1, sum += x, sum_sq += x * x; }
  double mean() const { return sum / n; }
  double sd() const { return std::sqrt(std::max(0.0, sum_sq / n - mean() * mean())); }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

} // namespace

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_stream_byte_for_byte) {
  stream_params p;
  p.seed = 99;
  p.users = 300;
  const auto a = serialise(p, 20000);
  BOOST_TEST(a == serialise(p, 20000));
  p.seed = 100;
  BOOST_TEST(a != serialise(p, 20000));
}

BOOST_AUTO_TEST_CASE(a_user_stays_the_same_person_in_a_larger_population) {
  auto small = make_population({5, 10});
  auto large = make_population({5, 1000});
  for (std::size_t i = 0; i < small.size(); ++i) {
    BOOST_TEST(small[i].id == large[i].id);
    BOOST_TEST(small[i].amount_mu == large[i].amount_mu);
    BOOST_TEST(small[i].home == large[i].home);
  }
}

BOOST_AUTO_TEST_CASE(
  timestamps_start_at_the_start_never_decrease_and_compress_with_the_time_scale) {
  stream_params p;
  p.users = 200;
  p.start_epoch_s = 1767225600; // 2026-01-01
  transaction_stream plain(p);
  p.time_scale = 10;
  transaction_stream compressed(p);
  std::int64_t last = 0;
  for (int i = 0; i < 20000; ++i) {
    const auto a = plain.next().timestamp;
    const auto b = compressed.next().timestamp;
    BOOST_REQUIRE(a >= p.start_epoch_s);
    BOOST_REQUIRE(a >= last);
    last = a;
    // Same events, their distance from the start divided by ten.
    BOOST_REQUIRE(std::abs(static_cast<double>(a - p.start_epoch_s) / 10 -
                           static_cast<double>(b - p.start_epoch_s)) <= 1.0);
  }
}

BOOST_AUTO_TEST_CASE(each_user_spends_in_a_band_far_narrower_than_the_population) {
  stream_params p;
  p.users = 500;
  transaction_stream s(p);
  std::map<std::string, moments> per_user;
  moments population;
  std::map<segment, std::vector<double>> usd_by_segment;
  std::map<std::string, const user_profile*> profile;
  for (const auto& u : s.users())
    profile[u.id] = &u;
  for (int i = 0; i < 100000; ++i) {
    const auto& t = s.next();
    if (s.last_kind() != event_kind::genuine)
      continue;
    const auto& u = *profile[t.user_id];
    // In USD, so that currencies do not widen the population's spread.
    const double usd = t.amount / countries()[u.home].units_per_usd;
    per_user[t.user_id].add(std::log(usd));
    population.add(std::log(usd));
    usd_by_segment[u.kind].push_back(usd);
  }
  moments user_sd;
  for (const auto& [id, m] : per_user)
    if (m.n >= 20)
      user_sd.add(m.sd());
  BOOST_TEST_MESSAGE("population log-sd " << population.sd() << ", mean user log-sd "
                                          << user_sd.mean());
  BOOST_TEST(user_sd.mean() < 0.7);
  BOOST_TEST(population.sd() > 3 * user_sd.mean());
  // A business account and a student differ by orders of magnitude.
  BOOST_TEST(median(usd_by_segment[segment::business]) >
             50 * median(usd_by_segment[segment::student]));
}

BOOST_AUTO_TEST_CASE(rates_range_from_a_few_a_month_to_dozens_a_day_and_are_kept) {
  stream_params p;
  p.users = 2000;
  transaction_stream s(p);
  double lowest = 1e9, highest = 0;
  for (const auto& u : s.users())
    lowest = std::min(lowest, u.rate_per_day), highest = std::max(highest, u.rate_per_day);
  BOOST_TEST(lowest < 0.1); // about two a month
  BOOST_TEST(highest > 20); // dozens a day
  constexpr int n = 100000;
  for (int i = 0; i < n; ++i)
    s.next();
  const double days = static_cast<double>(s.simulated_ms()) / 86400000.0;
  const double expected = total_rate_per_day(s.users()) * days;
  BOOST_TEST(std::fabs(n - expected) / expected < 0.05);
}

BOOST_AUTO_TEST_CASE(users_are_active_in_their_own_local_hours) {
  stream_params p;
  p.users = 300;
  transaction_stream s(p);
  std::map<std::string, const user_profile*> profile;
  for (const auto& u : s.users())
    profile[u.id] = &u;
  moments weight_seen, weight_if_uniform;
  for (int i = 0; i < 50000; ++i) {
    const auto& t = s.next();
    const auto& u = *profile[t.user_id];
    if (s.last_kind() != event_kind::genuine || t.location != countries()[u.home].code)
      continue;
    const auto hour = ((t.timestamp / 3600 + countries()[u.home].utc_offset_h) % 24 + 24) % 24;
    weight_seen.add(u.hour_weight[static_cast<std::size_t>(hour)]);
    weight_if_uniform.add(u.mean_hour_weight);
  }
  BOOST_TEST(weight_seen.mean() > weight_if_uniform.mean() + 0.2);
}

BOOST_AUTO_TEST_CASE(each_kind_comes_at_its_set_fraction_with_a_correct_label) {
  stream_params p;
  p.users = 1000;
  p.seed = 3;
  for (auto k : injected_kinds)
    p.fractions[static_cast<std::size_t>(k)] = 0.01;
  transaction_stream s(p);
  constexpr int n = 200000;
  std::map<std::string, int> seen;
  for (int i = 0; i < n; ++i) {
    const auto& t = s.next();
    BOOST_REQUIRE(t.fraud_type == to_string(s.last_kind()));
    BOOST_REQUIRE(t.anomalous == (is_fraud(s.last_kind()) ? 1 : 0));
    ++seen[t.fraud_type];
  }
  // Within two episodes, or 3 % for trips: those under way at the end
  // (days long, many at once) are promised but not yet emitted.
  constexpr int longest_episode = 15;
  constexpr double in_flight_share = 0.03;
  for (auto k : injected_kinds) {
    const double want = 0.01 * n;
    BOOST_TEST(std::fabs(seen[to_string(k)] - want) <=
                 std::max(2.0 * longest_episode, in_flight_share * want),
               to_string(k) << ": " << seen[to_string(k)] << " of " << want);
  }
  BOOST_TEST(seen.size() == injected_kinds.size() + 1); // nothing else: the rest is everyday
}

BOOST_AUTO_TEST_CASE(a_zero_fraction_injects_nothing_of_that_kind) {
  stream_params p;
  p.users = 300;
  p.fractions = kind_fractions{};
  transaction_stream s(p);
  for (int i = 0; i < 30000; ++i)
    BOOST_REQUIRE(s.next().fraud_type.empty());
}

BOOST_AUTO_TEST_CASE(parameters_out_of_range_are_refused_by_name) {
  stream_params p;
  p.fractions[static_cast<std::size_t>(event_kind::card_testing)] = 1.5;
  try {
    validate(p);
    BOOST_FAIL("no error");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()).find("card_testing") != std::string::npos);
  }
  p = {};
  p.time_scale = 0;
  BOOST_CHECK_THROW(validate(p), std::invalid_argument);
  p = {};
  p.users = 0;
  BOOST_CHECK_THROW(validate(p), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(transaction_ids_are_unique_uuids) {
  std::string a, b;
  format_transaction_id(1, 0, a);
  format_transaction_id(1, 1, b);
  BOOST_TEST(a != b);
  BOOST_TEST(a.size() == 36u);
  BOOST_TEST(a[14] == '4');
  BOOST_TEST((a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b'));
  std::string ip;
  format_ipv4(0x17010203, ip);
  BOOST_TEST(ip == "23.1.2.3");
  format_ipv4(0xff640a00, ip);
  BOOST_TEST(ip == "255.100.10.0");
}

BOOST_AUTO_TEST_CASE(fraud_is_spread_over_the_stream_not_flooded_after_the_warm_up) {
  stream_params p;
  p.users = 1000;
  transaction_stream s(p);
  constexpr int n = 200000, parts = 4;
  std::array<int, parts> fraud{};
  for (int i = 0; i < n; ++i)
    fraud[static_cast<std::size_t>(i / (n / parts))] += s.next().anomalous == 1;
  const double per_part = 0.005 * n / parts; // the default 0.5 %
  for (int f : fraud)
    BOOST_TEST(std::fabs(f - per_part) < 0.35 * per_part, f << " frauds where about " << per_part);
}
