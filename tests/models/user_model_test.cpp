#define BOOST_TEST_MODULE user model
#include "model_fixture.hpp"
#include "models/explain.hpp"

#include <boost/test/unit_test.hpp>
#include <random>

using namespace rtad::models;
using rtad::test::feed;
using rtad::test::owned_txn;
using rtad::test::population_forest;
using rtad::test::user_stream;

namespace {

owned_txn takeover(const owned_txn& usual) {
  auto t = usual;
  t.amount = 4830;
  t.country = "NG";
  t.device = "desktop";
  t.timestamp += 1200;
  return t;
}

} // namespace

BOOST_AUTO_TEST_CASE(an_account_takeover_is_flagged_high_and_explained) {
  auto global = population_forest();
  user_model m;
  user_stream s(11, 40);
  feed(m, s, 300, &global);
  auto t = takeover(s.next());
  auto x = m.features(t.view());
  auto v = global.assess(m, x);
  BOOST_TEST(v.anomalous);
  BOOST_TEST((v.risk == risk_level::high));
  BOOST_TEST(v.user_weight > 0);
  auto e = explain(m, global.forest.get(), t.view(), x, v);
  BOOST_TEST_MESSAGE(e.summary);
  BOOST_TEST(e.summary.find("amount 4,830.00 vs usual ") != std::string::npos);
  BOOST_TEST(e.summary.find("new country NG") != std::string::npos);
  BOOST_TEST(e.reasons.size() <= 3u);
}

BOOST_AUTO_TEST_CASE(a_users_habitual_transactions_are_rarely_flagged) {
  auto global = population_forest();
  user_model m;
  user_stream s(12, 40);
  feed(m, s, 300, &global);
  BOOST_TEST(feed(m, s, 400, &global) <= 12); // about the 1 % the threshold allows
}

BOOST_AUTO_TEST_CASE(the_global_forest_decides_alone_while_history_is_short) {
  auto global = population_forest();
  model_params p;
  user_model m(p);
  user_stream s(13);
  feed(m, s, static_cast<int>(p.min_history) - 1, &global);
  auto t = s.next();
  auto v = global.assess(m, m.features(t.view()));
  BOOST_TEST(v.user_weight == 0.0);
  BOOST_TEST((v.decided_by == model_kind::global));
  BOOST_TEST(v.forest_score == v.global_score);
}

BOOST_AUTO_TEST_CASE(the_users_weight_grows_with_its_history_up_to_the_cap) {
  model_params p;
  user_model m(p);
  user_stream s(14);
  feed(m, s, 40);
  auto early = m.user_weight();
  feed(m, s, 100);
  auto later = m.user_weight();
  feed(m, s, 300);
  BOOST_TEST(early > 0.0);
  BOOST_TEST(later > early);
  BOOST_TEST(m.user_weight() == p.max_user_weight);
}

BOOST_AUTO_TEST_CASE(every_r_transactions_the_oldest_t_r_over_w_trees_are_rebuilt) {
  model_params p;
  p.forest = {8, 32, 5, true};
  p.window = 64;
  p.refit_every = 16; // 8 * 16 / 64 = 2 trees per refit
  p.min_history = 8;
  user_model m(p);
  user_stream s(15);
  feed(m, s, 80); // window full, forest trained
  auto version = m.version();
  auto before = m.forest().trees();
  int refits = 0;
  std::vector<int> changed_per_refit;
  for (int i = 0; i < 64; ++i) {
    feed(m, s, 1);
    if (m.version() != version) {
      ++refits;
      version = m.version();
      auto after = m.forest().trees();
      int changed = 0;
      for (std::size_t t = 0; t < after.size(); ++t)
        changed += after[t].size() != before[t].size() ||
                   !std::equal(after[t].begin(), after[t].end(), before[t].begin(),
                               [](const auto& a, const auto& b) { return a.split == b.split; });
      changed_per_refit.push_back(changed);
      before = after;
    }
  }
  BOOST_TEST(refits == 4); // 64 transactions / r
  for (int c : changed_per_refit)
    BOOST_TEST(c == 2);
}

BOOST_AUTO_TEST_CASE(
  a_user_who_moves_and_changes_habits_stops_being_flagged_once_the_window_turned_over) {
  auto global = population_forest();
  model_params p;
  user_model m(p);
  user_stream s(16, 60, "US");
  feed(m, s, 400, &global);
  s.advance(3 * 86400);
  s.change_habits("DE", "desktop");
  int first_days = feed(m, s, 10, &global);
  feed(m, s, static_cast<int>(p.window), &global);
  int after = feed(m, s, 100, &global);
  BOOST_TEST(first_days >= 1); // the move itself is news
  BOOST_TEST(after <= 3);
  auto probe = s.next();
  BOOST_TEST(m.features(probe.view())[f_novelty_country] == 0.0f);
}

BOOST_AUTO_TEST_CASE(flagged_transactions_wait_for_a_label_before_the_forest_learns_them) {
  auto global = population_forest();
  user_model m;
  user_stream s(17, 40);
  feed(m, s, 300, &global);
  auto rows = m.training_rows();
  auto pending = m.pending_count();
  auto record_takeover = [&](const std::string& id) {
    auto t = takeover(s.next());
    auto x = m.features(t.view());
    auto v = global.assess(m, x);
    BOOST_REQUIRE(v.anomalous);
    m.record(t.view(), x, v, id);
  };
  auto scores = m.score_quantile().count();
  record_takeover("fraud-1");
  record_takeover("fp-1");
  BOOST_TEST(m.training_rows() == rows);
  BOOST_TEST(m.score_quantile().count() == scores); // attacks do not raise the user's bar
  BOOST_TEST(m.pending_count() >= std::min<std::size_t>(pending + 2, 8)); // the newest 8 wait
  pending = m.pending_count();
  BOOST_TEST(m.label("fraud-1", true));
  BOOST_TEST(m.training_rows() == rows); // a confirmed fraud never enters
  BOOST_TEST(m.label("fp-1", false));
  BOOST_TEST(m.training_rows() == std::min<std::size_t>(rows + 1, m.params().window));
  BOOST_TEST(m.pending_count() == pending - 2);
  BOOST_TEST(!m.label("never-seen", false));
}

BOOST_AUTO_TEST_CASE(false_positive_labels_lower_the_score_of_the_same_pattern) {
  auto global = population_forest();
  user_model m;
  user_stream s(18, 40);
  feed(m, s, 300, &global);
  auto pattern = [&](std::int64_t at) {
    auto t = s.next();
    t.timestamp = at;
    t.category = "electronics";
    t.amount = 900;
    return t;
  };
  auto probe = pattern(s.now() + 86400 * 30);
  double before = global.assess(m, m.features(probe.view())).score;
  for (int i = 0; i < 6; ++i) {
    auto t = pattern(s.now() + 3600);
    auto x = m.features(t.view());
    auto v = global.assess(m, x);
    auto id = "fp-" + std::to_string(i);
    m.record(t.view(), x, v, id);
    if (v.anomalous)
      BOOST_TEST(m.label(id, false));
  }
  double after = global.assess(m, m.features(probe.view())).score;
  BOOST_TEST(after < before);
}

BOOST_AUTO_TEST_CASE(a_frozen_user_stops_learning) {
  user_model m;
  user_stream s(19);
  feed(m, s, 100);
  m.set_frozen(true);
  auto version = m.version();
  auto rows = m.training_rows();
  feed(m, s, 100);
  BOOST_TEST(m.version() == version);
  BOOST_TEST(m.training_rows() == rows);
  m.set_frozen(false);
  feed(m, s, 100);
  BOOST_TEST(m.version() > version);
}

BOOST_AUTO_TEST_CASE(a_replayed_offset_is_scored_but_not_learned_twice) {
  user_model m;
  user_stream s(20);
  feed(m, s, 50);
  auto t = s.next();
  auto x = m.features(t.view());
  auto v = m.assess(x, nullptr, nullptr);
  BOOST_TEST(m.record(t.view(), x, v, "tx-a", {2, 100}));
  auto copy = m;
  BOOST_TEST(!m.record(t.view(), x, v, "tx-a", {2, 100}));
  BOOST_TEST(!m.record(t.view(), x, v, "tx-older", {2, 99}));
  BOOST_TEST((m == copy));
  BOOST_TEST(m.record(t.view(), x, v, "tx-b", {2, 101}));
}

BOOST_AUTO_TEST_CASE(a_transaction_id_sent_again_at_a_new_position_is_a_redelivery) {
  user_model m;
  user_stream s(22);
  feed(m, s, 50);
  auto t = s.next();
  auto x = m.features(t.view());
  auto v = m.assess(x, nullptr, nullptr);
  BOOST_TEST(!m.redelivered("tx-a", {2, 100}));
  BOOST_TEST(m.record(t.view(), x, v, "tx-a", {2, 100}));
  BOOST_TEST(m.redelivered("tx-a", {2, 130}));  // the producer retried
  BOOST_TEST(!m.redelivered("tx-a", {2, 100})); // the same position: a replay after restore
  BOOST_TEST(!m.redelivered("tx-b", {2, 131}));
  for (int i = 0; i < 32; ++i) {
    auto u = s.next();
    auto y = m.features(u.view());
    m.record(u.view(), y, m.assess(y, nullptr, nullptr), "later-" + std::to_string(i),
             {2, 200 + i});
  }
  BOOST_TEST(!m.redelivered("tx-a", {2, 300})); // 32 transactions later it is forgotten
}

BOOST_AUTO_TEST_CASE(the_threshold_is_the_own_quantile_never_below_the_floor) {
  model_params p;
  p.threshold.floor = 0.6;
  p.threshold.warmup = 10;
  user_model m(p);
  BOOST_TEST(m.threshold() == 0.6); // no scores yet
  user_stream s(21);
  auto global = population_forest();
  auto flagged = feed(m, s, 200, &global);
  BOOST_TEST(m.score_quantile().count() == 200u - flagged); // normal scores only
  BOOST_TEST(m.threshold() >= 0.6);
  BOOST_TEST(m.threshold() == std::max(0.6, m.score_quantile().value()));
  m.set_threshold_override(0.9);
  BOOST_TEST(m.threshold() == 0.9);
  m.set_threshold_override(std::nullopt);
  BOOST_TEST(m.threshold() == std::max(0.6, m.score_quantile().value()));
}

BOOST_AUTO_TEST_CASE(risk_grows_with_the_margin_above_the_threshold) {
  model_params p;
  p.threshold.warmup = 1u << 30; // the floor alone decides here
  user_model m(p);               // no history: the global forest decides
  std::mt19937 gen(4);
  std::normal_distribution<float> n(0, 1);
  global_model g(user_feature_count, {100, 256, 3}, 4096, 4096);
  population_window w;
  for (int i = 0; i < 4096; ++i) {
    user_features row;
    for (auto& v : row)
      v = n(gen);
    g.observe(row.data());
    w.observe(row.data(), row.size(), "groceries");
  }
  auto reference = population_reference::build(g, w);
  BOOST_REQUIRE(reference);
  user_features centre{}, edge{}, far{};
  edge[0] = 2.5f; // outlying in one feature of sixteen
  far.fill(50.0f);
  auto assess = [&](const user_features& x) {
    return m.assess(x, g.snapshot().get(), reference.get());
  };
  auto v_centre = assess(centre), v_edge = assess(edge), v_far = assess(far);
  BOOST_TEST(!v_centre.anomalous);
  BOOST_TEST((v_centre.risk == risk_level::none));
  BOOST_TEST(v_far.anomalous);
  BOOST_TEST((v_far.risk == risk_level::high));
  BOOST_TEST((1 - v_far.score) * p.threshold.high_factor <= 1 - v_far.threshold);
  BOOST_TEST(v_edge.score > v_centre.score);
  BOOST_TEST(v_edge.score < v_far.score);
  BOOST_TEST((v_edge.risk < v_far.risk));
}

BOOST_AUTO_TEST_CASE(nothing_is_flagged_before_scores_can_be_calibrated) {
  user_model m;
  user_stream s(22);
  feed(m, s, 100); // the user's own forest is trained, no population exists
  auto t = takeover(s.next());
  auto v = m.assess(m.features(t.view()), nullptr, nullptr);
  BOOST_TEST(v.user_score > 0.0);
  BOOST_TEST(!v.calibrated);
  BOOST_TEST(!v.anomalous);
  BOOST_TEST(m.score_quantile().count() == 0u); // uncalibrated scores do not move the threshold
}
