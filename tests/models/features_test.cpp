#define BOOST_TEST_MODULE features
#include "models/features.hpp"
#include "user_stream.hpp"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstring>

using namespace rtad::models;
using rtad::test::owned_txn;
using rtad::test::user_stream;

namespace {

user_history history_of(user_stream& s, int n, std::size_t window = 256) {
  user_history h(window);
  for (int i = 0; i < n; ++i) {
    auto t = s.next();
    h.observe(t.view());
    h.admit(t.view());
  }
  return h;
}

} // namespace

BOOST_AUTO_TEST_CASE(half_precision_round_trips_and_rounds_to_nearest) {
  for (float x : {0.0f, 1.0f, -2.5f, 65504.0f, 0.000061035156f, 3.140625f})
    BOOST_TEST(from_half_bits(half_bits(x)) == x);
  BOOST_TEST(to_half_precision(1.0f + 1.0f / 4096) == 1.0f); // below half an ulp
  BOOST_TEST(to_half_precision(1.0f + 3.0f / 2048) == 1.0f + 2.0f / 1024);
  BOOST_TEST(std::isinf(to_half_precision(1e6f)));
  for (float x : {0.1f, 7.77f, -123.456f})
    BOOST_TEST(to_half_precision(to_half_precision(x)) == to_half_precision(x));
}

BOOST_AUTO_TEST_CASE(the_fast_rounding_agrees_with_the_bit_conversion_everywhere) {
  // Every 97th float bit pattern (all exponents, signs, ties and carries)
  // plus the edges of the fast path, against the reference conversion.
  std::size_t mismatches = 0;
  auto check = [&](std::uint32_t bits) {
    float x;
    std::memcpy(&x, &bits, 4);
    float fast = to_half_precision(x), exact = from_half_bits(half_bits(x));
    if (std::memcmp(&fast, &exact, 4) != 0 && !(std::isnan(fast) && std::isnan(exact)))
      ++mismatches;
  };
  for (std::uint64_t bits = 0; bits <= 0xffffffffu; bits += 97)
    check(static_cast<std::uint32_t>(bits));
  for (std::uint32_t exp : {112u, 113u, 141u, 142u, 143u})
    for (std::uint32_t low = 0; low < 0x4000u; ++low)
      for (std::uint32_t sign : {0u, 0x80000000u})
        check(sign | (exp << 23) | 0x7fc000u | low); // the top of each exponent: carries
  BOOST_TEST(mismatches == 0u);
}

BOOST_AUTO_TEST_CASE(amount_is_measured_against_the_users_own_usual_amounts) {
  user_stream s(1, 40);
  auto h = history_of(s, 200);
  auto t = s.next();
  t.amount = 40;
  BOOST_TEST(std::abs(h.features(t.view())[f_amount_vs_usual]) < 1.0f);
  t.amount = 4830;
  BOOST_TEST(h.features(t.view())[f_amount_vs_usual] == 1.0f); // saturated for the forests
  BOOST_TEST(h.features(t.view())[f_amount_z] > 10.0f);        // told apart by the tail ranks
  // The same amount is ordinary for a business account.
  user_stream business(2, 5000);
  auto hb = history_of(business, 200);
  BOOST_TEST(std::abs(hb.features(t.view())[f_amount_vs_usual]) < 2.0f);
}

BOOST_AUTO_TEST_CASE(novelty_is_one_for_a_new_value_and_near_zero_for_the_usual_one) {
  user_stream s(3);
  auto h = history_of(s, 100);
  auto t = s.next();
  auto x = h.features(t.view());
  BOOST_TEST(x[f_novelty_country] == 0.0f);
  BOOST_TEST(x[f_novelty_device] == 0.0f);
  BOOST_TEST(x[f_novelty_category] < 0.35f); // one of three categories
  t.country = "NG";
  t.device = "desktop";
  x = h.features(t.view());
  // Never seen in 100 transactions: 1, shrunk by 100 / (100 + 5) for the short history.
  BOOST_TEST(x[f_novelty_country] == 100.0f / 105, boost::test_tools::tolerance(1e-3f));
  BOOST_TEST(x[f_novelty_device] == 100.0f / 105, boost::test_tools::tolerance(1e-3f));
}

BOOST_AUTO_TEST_CASE(time_features_follow_the_clock) {
  user_history h;
  owned_txn t{10, 1767225600 + 6 * 3600, "US", "c", "p", "d", "t"}; // Thursday 06:00 UTC
  auto x = h.features(t.view());
  BOOST_TEST(x[f_hour_sin] == 1.0f, boost::test_tools::tolerance(1e-3f));
  BOOST_TEST(x[f_hour_cos] == 0.0f, boost::test_tools::tolerance(1e-3f));
}

BOOST_AUTO_TEST_CASE(spend_weighs_the_last_six_hours_against_the_users_usual_rate) {
  user_history h;
  // Ten days of 100.00 a day: 25.00 in an ordinary six hours.
  std::int64_t day = 86400, start = 1767225600;
  for (int i = 0; i < 10; ++i) {
    owned_txn t{100, start + i * day, "US", "c", "p", "d", "t"};
    h.observe(t.view());
    h.admit(t.view());
  }
  owned_txn next{100, start + 10 * day, "US", "c", "p", "d", "t"};
  auto rate = h.spend(next.view());
  BOOST_TEST(rate.usual == 1000.0 / 10 / 4, boost::test_tools::tolerance(1e-6)); // over 10 days
  BOOST_TEST(rate.recent == 100.0);
  auto ordinary = h.features(next.view())[f_spend_ratio];
  // Three more purchases within the hour: the fourth counts all four.
  for (int i = 1; i <= 3; ++i) {
    owned_txn t{100, start + 10 * day + i * 600, "US", "c", "p", "d", "t"};
    h.observe(t.view());
    h.admit(t.view());
  }
  owned_txn fourth{100, start + 10 * day + 2400, "US", "c", "p", "d", "t"};
  auto now = h.spend(fourth.view());
  BOOST_TEST(now.recent == 400.0);
  auto burst = h.features(fourth.view())[f_spend_ratio];
  BOOST_TEST(burst == to_half_precision(static_cast<float>(std::log1p(400.0 / (now.usual + 1)))),
             boost::test_tools::tolerance(1e-3f));
  BOOST_TEST(burst > ordinary + 0.9f);
}

BOOST_AUTO_TEST_CASE(a_first_purchase_is_no_burst_against_an_empty_history) {
  user_history h;
  owned_txn t{50, 1767225600, "US", "c", "p", "d", "t"};
  auto rate = h.spend(t.view());
  BOOST_TEST(rate.usual == 0.0);
  // log(1 + 50 / 1): large, but the population ranks it against every new
  // user's first purchase, which looks the same.
  BOOST_TEST(h.features(t.view())[f_spend_ratio] ==
               to_half_precision(static_cast<float>(std::log1p(50.0))),
             boost::test_tools::tolerance(1e-3f));
}

BOOST_AUTO_TEST_CASE(velocity_counts_the_hour_before_and_the_gap) {
  user_history h;
  owned_txn t{5, 1767225600, "US", "c", "p", "d", "t"};
  for (int i = 0; i < 5; ++i) {
    h.observe(t.view());
    t.timestamp += 60;
  }
  auto x = h.features(t.view());
  BOOST_TEST(x[f_tx_last_hour] == 5.0f);
  BOOST_TEST(x[f_log_gap] == to_half_precision(static_cast<float>(std::log1p(60.0))));
  t.timestamp += 7200;
  BOOST_TEST(h.features(t.view())[f_tx_last_hour] == 0.0f);
}

BOOST_AUTO_TEST_CASE(travel_flags_distant_countries_minutes_apart_but_not_a_flight) {
  user_history h;
  owned_txn t{20, 1767225600, "US", "c", "p", "d", "t"};
  h.observe(t.view());
  t.country = "US";
  t.timestamp += 600;
  BOOST_TEST(h.features(t.view())[f_travel] == 0.0f);
  t.country = "NG";
  auto fast = h.features(t.view())[f_travel];
  t.timestamp += 14 * 3600; // a long-haul flight
  auto flight = h.features(t.view())[f_travel];
  BOOST_TEST(fast > std::log1p(20000.0f)); // ~10,000 km in 10 min
  BOOST_TEST(flight < std::log1p(1000.0f));
  BOOST_TEST(fast > flight + 2);
}

BOOST_AUTO_TEST_CASE(an_impossible_jump_does_not_move_the_user) {
  // Stolen credentials used in Nigeria ten minutes after the owner paid in
  // the US: the owner's next purchase at home is no jump back, while the
  // thief's next one is still impossible from where the owner was.
  user_history h;
  owned_txn t{20, 1767225600, "US", "c", "p", "d", "t"};
  h.observe(t.view());
  t.timestamp += 600;
  t.country = "NG";
  BOOST_TEST(h.features(t.view())[f_travel] > std::log1p(20000.0f));
  h.observe(t.view());
  BOOST_TEST(std::string(h.position_before(t.timestamp + 300, "NG")->country.data()) == "US");
  t.timestamp += 300;
  BOOST_TEST(h.features(t.view())[f_travel] > std::log1p(20000.0f));
  t.country = "US";
  BOOST_TEST(h.features(t.view())[f_travel] == 0.0f);
  h.observe(t.view());
  // A real flight does move the user: the first purchase abroad after it
  // becomes where they are.
  t.timestamp += 14 * 3600;
  t.country = "NG";
  h.observe(t.view());
  BOOST_TEST(std::string(h.position_before(t.timestamp + 600, "NG")->country.data()) == "NG");
  t.timestamp += 600;
  BOOST_TEST(h.features(t.view())[f_travel] == 0.0f);
}

BOOST_AUTO_TEST_CASE(a_run_abroad_as_often_contradicted_from_home_does_not_move_the_user) {
  // The owner pays at home; a day later their card is used twice in Spain
  // (a plane could have taken them there); then the owner pays at home
  // again, minutes later. Once as many purchases at home contradict the run
  // in Spain as it had, the owner never left: no travel from Spain.
  user_history h;
  owned_txn t{20, 1767225600, "US", "c", "p", "d", "t"};
  for (int i = 0; i < 3; ++i, t.timestamp += 3600)
    h.observe(t.view());
  t.timestamp += 14 * 3600;
  t.country = "ES";
  BOOST_TEST(h.features(t.view())[f_travel] < std::log1p(1000.0f)); // a flight
  h.observe(t.view());
  t.timestamp += 600;
  h.observe(t.view());
  t.timestamp += 1200;
  t.country = "US";
  BOOST_TEST(h.features(t.view())[f_travel] > std::log1p(1000.0f)); // one against two
  h.observe(t.view());
  t.timestamp += 600;
  BOOST_TEST(h.features(t.view())[f_travel] == 0.0f); // two against two: home
  BOOST_TEST(std::string(h.position_before(t.timestamp, "US")->country.data()) == "US");
  h.observe(t.view());
  t.timestamp += 600;
  BOOST_TEST(h.features(t.view())[f_travel] == 0.0f); // and it stays there
}

BOOST_AUTO_TEST_CASE(the_window_forgets_its_oldest_transactions) {
  user_stream s(4);
  user_history h(16);
  for (int i = 0; i < 16; ++i) {
    auto t = s.next();
    h.admit(t.view());
  }
  BOOST_TEST(h.count_of(field::country, "US") == 16u);
  s.move_to("DE");
  for (int i = 0; i < 10; ++i)
    h.admit(s.next().view());
  BOOST_TEST(h.size() == 16u);
  BOOST_TEST(h.count_of(field::country, "US") == 6u);
  BOOST_TEST(h.count_of(field::country, "DE") == 10u);
  BOOST_TEST(h.top_values(field::country, 1).front().first == "DE");
}

BOOST_AUTO_TEST_CASE(standard_features_use_the_transaction_alone) {
  owned_txn t{100, 1767225600, "US", "groceries", "credit_card", "mobile", "purchase"};
  auto a = compute_standard_features(t.view());
  auto b = compute_standard_features(t.view());
  BOOST_TEST((a == b));
  BOOST_TEST(a[s_log_amount] == static_cast<float>(std::log1p(100.0)));
  t.country = "DE";
  BOOST_TEST(compute_standard_features(t.view())[s_country_code] != a[s_country_code]);
  for (std::size_t f = 0; f < standard_feature_count; ++f)
    BOOST_TEST(!standard_feature_name(f).empty());
  for (std::size_t f = 0; f < user_feature_count; ++f)
    BOOST_TEST(user_feature_name(f) != "?");
}
