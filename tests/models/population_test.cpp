#define BOOST_TEST_MODULE population
#include "model_fixture.hpp"
#include "models/explain.hpp"
#include "models/population.hpp"

#include <boost/test/unit_test.hpp>
#include <random>

using namespace rtad::models;
using rtad::test::feed;
using rtad::test::population_forest;
using rtad::test::user_stream;

namespace {

/// A global model and population window over `n` rows of random user features,
/// with |amount z| spread over [0, 4), every row in category "groceries"
/// except one in a hundred in "gift_cards".
struct population_of {
  global_model g{user_feature_count, {50, 256, 5}, 4096, 4096};
  population_window w{8192};
  explicit population_of(int n) {
    std::mt19937 gen(9);
    std::uniform_real_distribution<float> u(0, 1);
    for (int i = 0; i < n; ++i) {
      user_features x{};
      for (auto& v : x)
        v = u(gen);
      x[f_amount_z] = 4 * u(gen);
      x[f_travel] = 0;
      g.observe(x.data());
      w.observe(x.data(), x.size(), i % 100 == 0 ? "gift_cards" : "groceries");
    }
  }
};

user_features with_amount_z(float z) {
  user_features x{};
  x[f_amount_z] = z;
  return x;
}

} // namespace

BOOST_AUTO_TEST_CASE(nothing_calibrates_before_the_forest_has_enough_rows) {
  population_of small(200);
  BOOST_TEST(!population_reference::build(small.g, small.w));
  population_of enough(2048);
  auto ref = population_reference::build(enough.g, enough.w);
  BOOST_REQUIRE(ref);
  BOOST_TEST(ref->rows() == 2048u);
  BOOST_TEST(ref->version() == enough.g.version());
}

BOOST_AUTO_TEST_CASE(a_rank_is_the_share_of_recent_transactions_with_less_evidence) {
  population_of p(4096);
  auto ref = population_reference::build(p.g, p.w);
  BOOST_REQUIRE(ref);
  auto x = with_amount_z(2.0f);
  BOOST_TEST(ref->ranks(0.5, x.data(), x.size()).amount == 0.5, boost::test_tools::tolerance(0.03));
  x = with_amount_z(-3.0f); // far below the usual counts as much as far above
  BOOST_TEST(ref->ranks(0.5, x.data(), x.size()).amount == 0.75,
             boost::test_tools::tolerance(0.03));
  x = with_amount_z(0.0f); // no evidence ranks 0, not among the smallest
  BOOST_TEST(ref->ranks(0.5, x.data(), x.size()).amount == 0.0);
  // Beyond everything seen, ranks keep growing with the evidence, below 1.
  auto beyond = with_amount_z(8.0f), further = with_amount_z(40.0f);
  double r8 = ref->ranks(0.5, beyond.data(), beyond.size()).amount;
  double r40 = ref->ranks(0.5, further.data(), further.size()).amount;
  BOOST_TEST(r8 > 4096.0 / 4097);
  BOOST_TEST(r40 > r8);
  BOOST_TEST(r40 < 1.0);
  BOOST_TEST(ref->ranks(0.5, beyond.data(), beyond.size()).unprecedented());
  x = with_amount_z(2.0f);
  BOOST_TEST(!ref->ranks(0.5, x.data(), x.size()).unprecedented());
}

BOOST_AUTO_TEST_CASE(evidence_beyond_everything_recent_is_high_risk_however_small_the_reference) {
  population_of p(300); // a young node: ranks cannot go past 300/301
  auto ref = population_reference::build(p.g, p.w);
  BOOST_REQUIRE(ref);
  user_model m;
  auto x = with_amount_z(40.0f);
  auto v = m.assess(x, p.g.snapshot().get(), ref.get());
  BOOST_TEST(v.anomalous);
  BOOST_TEST(v.ranks.unprecedented());
  BOOST_TEST((v.risk == risk_level::high));
}

BOOST_AUTO_TEST_CASE(the_score_is_the_strongest_evidence_and_says_which) {
  population_of p(4096);
  auto ref = population_reference::build(p.g, p.w);
  BOOST_REQUIRE(ref);
  auto x = with_amount_z(30.0f);
  auto r = ref->ranks(0.3, x.data(), x.size());
  BOOST_TEST(r.top() == r.amount);
  BOOST_TEST((r.strongest() == evidence::amount));
  BOOST_TEST(r.forest < 0.5);
  // Standard-mode rows carry no user evidence: the forest alone counts.
  standard_features s{};
  auto rs = ref->ranks(0.99, s.data(), s.size());
  BOOST_TEST(rs.amount == 0.0);
  BOOST_TEST((rs.strongest() == evidence::forest));
}

BOOST_AUTO_TEST_CASE(a_category_few_users_buy_is_rare_and_one_never_seen_rarer) {
  population_of p(4096);
  auto ref = population_reference::build(p.g, p.w);
  BOOST_REQUIRE(ref);
  double common = ref->rarity("groceries"), rare = ref->rarity("gift_cards"),
         unseen = ref->rarity("crypto");
  BOOST_TEST(common < 0.01);
  BOOST_TEST(rare == 2.0 / 3, boost::test_tools::tolerance(0.05)); // one in a hundred
  BOOST_TEST(unseen == 1.0);
}

BOOST_AUTO_TEST_CASE(category_counts_follow_the_window) {
  population_window w(4);
  float row[user_feature_count]{};
  for (const char* c : {"a", "a", "b", "c", "c", "c"})
    w.observe(row, user_feature_count, c);
  auto counts = w.category_counts();
  std::map<std::string, std::size_t> m(counts.begin(), counts.end());
  BOOST_TEST(w.size() == 4u);
  BOOST_TEST(w.categories_known() == 4u);
  BOOST_TEST(m.count("a") == 0u); // both left the window
  BOOST_TEST(m["b"] == 1u);
  BOOST_TEST(m["c"] == 3u);
  w.observe(row, user_feature_count, ""); // unknown: counted nowhere
  BOOST_TEST(w.categories_known() == 3u);
}

BOOST_AUTO_TEST_CASE(evidence_no_recent_row_had_calibrates_nothing) {
  // Rows scored before the population was known carry no category rarity:
  // a column of zeros would put any positive value at the top.
  global_model g{user_feature_count, {50, 256, 5}, 2048, 2048};
  population_window w{4096};
  user_features zero{};
  for (int i = 0; i < 2048; ++i) {
    g.observe(zero.data());
    w.observe(zero.data(), zero.size(), "groceries");
  }
  auto ref = population_reference::build(g, w);
  BOOST_REQUIRE(ref);
  user_features x{};
  x[f_category_rarity] = 0.5f;
  x[f_amount_z] = 3.0f;
  auto r = ref->ranks(0.5, x.data(), x.size());
  BOOST_TEST(r.category == 0.0);
  BOOST_TEST(r.amount == 0.0);
}

BOOST_AUTO_TEST_CASE(a_ten_times_spike_is_explained_by_its_rarity_among_all_users) {
  auto global = population_forest();
  user_model m;
  user_stream s(31, 40);
  feed(m, s, 300, &global);
  auto t = s.next();
  t.amount = 40 * 12;
  auto x = m.features(t.view(), global.reference.get());
  auto v = global.assess(m, x);
  BOOST_TEST(v.anomalous);
  BOOST_TEST((v.ranks.strongest() == evidence::amount));
  auto e = explain(m, global.forest.get(), t.view(), x, v);
  BOOST_TEST_MESSAGE(e.summary);
  BOOST_REQUIRE(!e.reasons.empty());
  BOOST_TEST(e.reasons.front().feature == "amount");
  BOOST_TEST(e.summary.find("recent transaction") != std::string::npos);
}

namespace {

/// A population window of users with long histories where the forest's score
/// rises with |amount z| and knows nothing of the category's rarity: the
/// forest corroborates the amount's extremes and none of the category's.
struct corroborated_amount {
  population_of base{4096};
  population_window w{16384};
  corroborated_amount() {
    std::mt19937 gen(3);
    std::uniform_real_distribution<float> u(0, 1);
    for (int i = 0; i < 16384; ++i) { // the top 0.3 % are 49 rows
      user_features x{};
      x[f_log_history] = 5; // ~150 transactions: old enough to judge evidence
      x[f_amount_z] = 4 * u(gen);
      x[f_category_rarity] = u(gen);
      x[f_spend_ratio] = u(gen);
      w.observe(x.data(), x.size(), "groceries", 0.4 + 0.05 * x[f_amount_z] + 0.01 * u(gen));
    }
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(evidence_the_forest_corroborates_counts_fully_and_noise_hardly) {
  corroborated_amount p;
  auto ref = population_reference::build(p.base.g, p.w);
  BOOST_REQUIRE(ref);
  BOOST_TEST(ref->reliability(evidence::forest) == 1.0);
  BOOST_TEST(ref->reliability(evidence::amount) == 1.0);
  BOOST_TEST(ref->reliability(evidence::category) == 0.0);
  BOOST_TEST(ref->reliability(evidence::spend) == 0.0);
  // Travel: no row has any, so the window cannot tell; it keeps counting.
  BOOST_TEST(ref->reliability(evidence::travel) == 1.0);
  // The rarest category of all scores less than an everyday amount would.
  user_features x{};
  x[f_category_rarity] = 1.5f;
  auto r = ref->ranks(0.0, x.data(), x.size());
  BOOST_TEST(r.category > 0.999);
  BOOST_TEST(r.top() < 0.01);
  x[f_amount_z] = 3.99f;
  r = ref->ranks(0.0, x.data(), x.size());
  BOOST_TEST(r.top() > 0.99);
  BOOST_TEST(to_string(r.strongest()) == "amount");
}

BOOST_AUTO_TEST_CASE(spend_is_judged_by_what_it_says_beyond_the_amount) {
  // The spend counts the transaction's own amount: in `echo` its extremes are
  // the amount's spikes and noise elsewhere, so the forest corroborates it
  // only through the amount; in `own` its extremes are rows of their own,
  // which the forest ranks high.
  std::mt19937 gen(6);
  std::uniform_real_distribution<float> u(0, 1);
  population_of base{4096};
  population_window echo{16384}, own{16384};
  for (int i = 0; i < 16384; ++i) {
    user_features x{};
    x[f_log_history] = 5;
    x[f_amount_z] = 4 * u(gen);
    bool spike = x[f_amount_z] > 3.98f, burst = i % 200 == 0;
    x[f_spend_ratio] = spike ? 10 + x[f_amount_z] : u(gen);
    echo.observe(x.data(), x.size(), "groceries", 0.4 + 0.05 * x[f_amount_z] + 0.01 * u(gen));
    x[f_spend_ratio] = burst ? 10 + u(gen) : u(gen);
    own.observe(x.data(), x.size(), "groceries",
                (burst ? 0.7 : 0.4 + 0.05 * x[f_amount_z]) + 0.01 * u(gen));
  }
  auto echoed = population_reference::build(base.g, echo);
  auto its_own = population_reference::build(base.g, own);
  BOOST_REQUIRE((echoed && its_own));
  BOOST_TEST(echoed->reliability(evidence::amount) == 1.0);
  BOOST_TEST(echoed->reliability(evidence::spend) == 0.0);
  BOOST_TEST(its_own->reliability(evidence::spend) == 1.0);
}

BOOST_AUTO_TEST_CASE(a_flight_abroad_is_no_travel_evidence_and_two_continents_in_an_hour_are) {
  // One row in fifty changed country by plane (800 km/h), one in a thousand
  // faster than any airliner could (5,000 km/h); the rest stayed at home.
  population_of base{4096};
  population_window w{16384};
  for (int i = 0; i < 16384; ++i) {
    user_features x{};
    x[f_log_history] = 5;
    if (i % 1000 == 0)
      x[f_travel] = std::log1p(5000.0f);
    else if (i % 50 == 0)
      x[f_travel] = std::log1p(800.0f);
    w.observe(x.data(), x.size(), "groceries", 0.5);
  }
  auto ref = population_reference::build(base.g, w);
  BOOST_REQUIRE(ref);
  user_features x{};
  x[f_travel] = std::log1p(800.0f);
  BOOST_TEST(ref->ranks(0.0, x.data(), x.size()).travel == 0.0);
  x[f_travel] = std::log1p(5000.0f);
  BOOST_TEST(ref->ranks(0.0, x.data(), x.size()).travel > 0.99);
  x[f_travel] = std::log1p(20000.0f); // beyond everything recent
  BOOST_TEST(ref->ranks(0.0, x.data(), x.size()).travel > 0.9999);
}

BOOST_AUTO_TEST_CASE(users_forests_keep_their_share_where_the_global_forest_corroborates_them) {
  // The users' forests agree with the global forest's extremes in one
  // window and score noise in the other; without their scores the window
  // cannot tell, and they keep their share.
  corroborated_amount p;
  std::mt19937 gen(5);
  std::uniform_real_distribution<float> u(0, 1);
  population_window agreeing{16384}, drifting{16384}, silent{16384};
  for (std::size_t i = 0; i < p.w.evidence_rows().size(); ++i) {
    user_features x{};
    x[f_log_history] = 5;
    x[f_amount_z] = p.w.evidence_rows()[i][0];
    auto forest = p.w.forest_scores()[i];
    agreeing.observe(x.data(), x.size(), "groceries", forest, 0.3 + forest + 0.01 * u(gen));
    drifting.observe(x.data(), x.size(), "groceries", forest, 0.3 + 0.5 * u(gen));
    silent.observe(x.data(), x.size(), "groceries", forest);
  }
  auto trusted = population_reference::build(p.base.g, agreeing);
  auto noise = population_reference::build(p.base.g, drifting);
  auto unknown = population_reference::build(p.base.g, silent);
  BOOST_REQUIRE((trusted && noise && unknown));
  BOOST_TEST(trusted->user_forest_reliability() == 1.0);
  BOOST_TEST(noise->user_forest_reliability() == 0.0);
  BOOST_TEST(unknown->user_forest_reliability() == 1.0);
  // The single-feature evidence is judged as before.
  BOOST_TEST(noise->reliability(evidence::amount) == 1.0);
}

BOOST_AUTO_TEST_CASE(users_with_short_histories_do_not_judge_evidence) {
  // The forest corroborates nothing here: counted, every evidence would be noise.
  corroborated_amount p;
  population_window young{16384};
  std::mt19937 gen(4);
  std::uniform_real_distribution<float> u(0, 1);
  for (const auto& e : p.w.evidence_rows()) {
    user_features x{};
    x[f_log_history] = 2; // ~6 transactions
    x[f_amount_z] = e[0];
    x[f_category_rarity] = e[1];
    young.observe(x.data(), x.size(), "groceries", u(gen));
  }
  auto ref = population_reference::build(p.base.g, young);
  BOOST_REQUIRE(ref);
  BOOST_TEST(ref->reliability(evidence::category) == 1.0);
  BOOST_TEST(ref->reliability(evidence::amount) == 1.0);
}

BOOST_AUTO_TEST_CASE(a_card_drained_in_an_afternoon_is_explained_by_the_spend) {
  auto global = population_forest();
  user_model m;
  user_stream s(32, 40);
  feed(m, s, 300, &global);
  // Ten purchases of the usual amount, twenty minutes apart: only the spend is odd.
  auto t = s.next();
  for (int i = 0; i < 9; ++i) {
    t.timestamp += 1200;
    t.amount = 40;
    auto x = m.features(t.view(), global.reference.get());
    m.record(t.view(), x, global.assess(m, x), "burst-" + std::to_string(i));
  }
  t.timestamp += 1200;
  auto x = m.features(t.view(), global.reference.get());
  auto v = global.assess(m, x);
  BOOST_TEST((v.ranks.strongest() == evidence::spend));
  BOOST_TEST(v.ranks.spend > 0.98);
  auto e = explain(m, global.forest.get(), t.view(), x, v);
  BOOST_TEST_MESSAGE(e.summary);
  BOOST_REQUIRE(!e.reasons.empty());
  BOOST_TEST(e.reasons.front().feature == "spend");
  BOOST_TEST(e.summary.rfind("spent 400.00 in 6 hours vs usual ", 0) == 0);
}

BOOST_AUTO_TEST_CASE(a_sorted_evidence_column_follows_the_window_as_it_fills_and_turns_over) {
  population_window w{1000};
  std::mt19937 gen(3);
  std::uniform_real_distribution<float> u(-1, 3);
  auto check = [&] {
    for (std::size_t k = 0; k < population_window::evidence_count; ++k) {
      std::vector<float> expected;
      for (const auto& e : w.evidence_rows())
        expected.push_back(e[k]);
      std::sort(expected.begin(), expected.end());
      const auto& sorted = w.sorted_evidence(k);
      BOOST_TEST(sorted == expected, boost::test_tools::per_element());
    }
  };
  // Between two reads: a few rows, none, a whole window and more (the
  // column is then sorted afresh), while filling and while turning over.
  for (int batch : {7, 0, 300, 1, 650, 90, 1200, 33, 0, 999}) {
    for (int i = 0; i < batch; ++i) {
      user_features x{};
      x[f_amount_z] = u(gen);
      x[f_category_rarity] = i % 3 == 0 ? 0.0f : u(gen);
      x[f_travel] = 10 * u(gen);
      x[f_spend_ratio] = static_cast<float>(i % 5);
      w.observe(x.data(), x.size(), "groceries");
    }
    check();
  }
}

BOOST_AUTO_TEST_CASE(a_column_search_finds_what_std_upper_bound_finds) {
  // Columns of every length around the index's blocks, with runs of equal
  // values (most evidence is 0), searched for values in, between, below and
  // above them: the indexed, branch-free search must agree everywhere.
  std::mt19937 gen(3);
  std::uniform_int_distribution<int> level(0, 40);
  using sorted_values = population_reference::sorted_values;
  for (std::size_t n : {1UL, 2UL, 3UL, 63UL, 64UL, 65UL, 127UL, 128UL, 129UL, 1000UL, 4097UL}) {
    std::vector<float> values;
    for (std::size_t i = 0; i < n; ++i)
      values.push_back(i % 3 == 0 ? 0.0f : static_cast<float>(level(gen)) / 4);
    std::sort(values.begin(), values.end());
    sorted_values column(values);
    for (int q = -4; q <= 44; ++q)
      for (float v : {static_cast<float>(q) / 4, static_cast<float>(q) / 4 + 0.1f}) {
        auto expected = std::upper_bound(values.begin(), values.end(), v) - values.begin();
        BOOST_TEST(column.upper_bound(v) == static_cast<std::size_t>(expected),
                   "n " << n << ", v " << v);
      }
  }
  BOOST_TEST(sorted_values{}.upper_bound(1.0f) == 0u);
}
