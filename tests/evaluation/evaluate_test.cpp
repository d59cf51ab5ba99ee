#define BOOST_TEST_MODULE evaluation on handmade cases
#include "evaluation/evaluate.hpp"
#include "evaluation/report_format.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

using namespace rtad::eval;

namespace tt = boost::test_tools;

namespace {

// Ten judged transactions whose every number is worked out by hand in the
// comments of the test below, one without a verdict, one verdict without truth.
struct hand_made {
  std::vector<truth_record> truth = {
    {"t1", "u1", 100, false, ""},
    {"t2", "u1", 200, false, ""},
    {"t3", "u2", 300, true, "card_testing"},
    {"t4", "u2", 310, true, "card_testing"},
    {"t5", "u2", 320, true, "card_testing"},
    {"t6", "u2", 330, true, "card_testing"},
    {"t7", "u3", 400, true, "amount_spike"},
    {"t8", "u3", 500, false, "benign_trip"},
    {"t9", "u3", 600, false, "benign_trip"},
    {"t10", "u4", 700, true, "amount_spike"},
    {"t11", "u4", 800, false, ""},
  };
  std::vector<scored_record> scores = {
    {"t1", 0.1, false}, {"t2", 0.7, true},   {"t3", 0.3, false}, {"t4", 0.4, false},
    {"t5", 0.9, true},  {"t6", 0.95, true},  {"t7", 0.8, true},  {"t8", 0.6, true},
    {"t9", 0.2, false}, {"t10", 0.5, false}, {"x1", 0.99, true},
  };
};

const fraud_type_metrics& type(const eval_report& r, const std::string& name) {
  for (const auto& t : r.fraud_types)
    if (t.type == name)
      return t;
  throw std::runtime_error("no type " + name);
}

} // namespace

BOOST_AUTO_TEST_CASE(known_precision_recall_f1_and_pr_auc) {
  hand_made h;
  const auto r = evaluate(h.truth, h.scores);
  BOOST_TEST(r.joined == 10u);
  BOOST_TEST(r.missing == 1u); // t11
  BOOST_TEST(r.unknown == 1u); // x1
  // Flagged frauds t5 t6 t7; missed t3 t4 t10; flagged non-fraud t2 t8.
  BOOST_TEST(r.decisions.tp == 3u);
  BOOST_TEST(r.decisions.fn == 3u);
  BOOST_TEST(r.decisions.fp == 2u);
  BOOST_TEST(r.decisions.tn == 2u);
  BOOST_TEST(r.decisions.precision() == 0.6, tt::tolerance(1e-12));
  BOOST_TEST(r.decisions.recall() == 0.5, tt::tolerance(1e-12));
  BOOST_TEST(r.decisions.f1() == 6.0 / 11.0, tt::tolerance(1e-12));
  // Ranked: t6 t5 t7 (P) t2 t8 (N) t10 t4 t3 (P) t9 t1 (N):
  // AP = (1 + 1 + 1 + 4/6 + 5/7 + 6/8) / 6.
  BOOST_TEST(r.pr_auc == (3 + 4.0 / 6 + 5.0 / 7 + 6.0 / 8) / 6, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(each_fraud_type_is_judged_against_all_non_fraud) {
  hand_made h;
  const auto r = evaluate(h.truth, h.scores);
  BOOST_REQUIRE(r.fraud_types.size() == 2u);
  const auto& ct = type(r, "card_testing");
  BOOST_TEST(ct.count == 4u);
  BOOST_TEST(ct.decisions.recall() == 0.5, tt::tolerance(1e-12));
  BOOST_TEST(ct.decisions.precision() == 0.5, tt::tolerance(1e-12)); // 2 of its own, 2 false alarms
  // t6 t5 (P) t2 t8 (N) t4 t3 (P): AP = (1 + 1 + 3/5 + 4/6) / 4.
  BOOST_TEST(ct.pr_auc == (2 + 3.0 / 5 + 4.0 / 6) / 4, tt::tolerance(1e-12));
  const auto& spike = type(r, "amount_spike");
  // t7 (P) t2 t8 (N) t10 (P): AP = (1 + 2/4) / 2.
  BOOST_TEST(spike.pr_auc == 0.75, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(benign_surprises_get_their_own_false_positive_rate) {
  hand_made h;
  const auto r = evaluate(h.truth, h.scores);
  BOOST_REQUIRE(r.benign.size() == 2u);
  BOOST_TEST(r.benign[0].type == everyday_label);
  BOOST_TEST(r.benign[0].count == 2u);
  BOOST_TEST(r.benign[0].flag_rate == 0.5);
  BOOST_TEST(r.benign[1].type == "benign_trip");
  BOOST_TEST(r.benign[1].flagged == 1u);
  BOOST_TEST(r.surprise_flag_rate == 0.5);
}

BOOST_AUTO_TEST_CASE(detection_delay_counts_frauds_that_passed_before_the_first_flag) {
  hand_made h;
  const auto r = evaluate(h.truth, h.scores);
  // Card testing u2: t3 t4 pass, t5 flagged 20 s after t3. Spike u3 caught at
  // once; spike u4 never.
  BOOST_TEST(r.delay.episodes == 3u);
  BOOST_TEST(r.delay.detected == 2u);
  BOOST_TEST(r.delay.mean_missed == 1.0);
  BOOST_TEST(r.delay.mean_seconds == 10.0);
  const auto& ct = type(r, "card_testing").delay;
  BOOST_TEST(ct.episodes == 1u);
  BOOST_TEST(ct.mean_missed == 2.0);
  BOOST_TEST(ct.p90_missed == 2.0);
  BOOST_TEST(ct.mean_seconds == 20.0);
}

BOOST_AUTO_TEST_CASE(a_long_pause_splits_one_users_frauds_into_two_episodes) {
  std::vector<truth_record> truth = {{"a", "u", 0, true, "card_testing"},
                                     {"b", "u", 10, true, "card_testing"},
                                     {"c", "u", 5000, true, "card_testing"},
                                     {"d", "u", 5010, true, "card_testing"}};
  std::vector<scored_record> scores = {
    {"a", 0.1, false}, {"b", 0.9, true}, {"c", 0.9, true}, {"d", 0.1, false}};
  auto r = evaluate(truth, scores, {3600});
  BOOST_TEST(r.delay.episodes == 2u);
  BOOST_TEST(r.delay.detected == 2u);
  BOOST_TEST(r.delay.mean_missed == 0.5); // 1 then 0
  r = evaluate(truth, scores, {10000});
  BOOST_TEST(r.delay.episodes == 1u);
}

BOOST_AUTO_TEST_CASE(the_report_prints_as_a_table_and_as_json) {
  hand_made h;
  const auto r = evaluate(h.truth, h.scores);
  const auto table = to_table(r);
  BOOST_TEST(table.find("all fraud") != std::string::npos);
  BOOST_TEST(table.find("0.600") != std::string::npos); // precision
  BOOST_TEST(table.find("benign_trip") != std::string::npos);
  const auto j = nlohmann::json::parse(to_json(r));
  BOOST_TEST(j["overall"]["precision"].get<double>() == 0.6, tt::tolerance(1e-12));
  BOOST_TEST(j["fraud_types"]["card_testing"]["count"].get<int>() == 4);
  BOOST_TEST(j["benign"]["everyday"]["fp_rate"].get<double>() == 0.5);
  BOOST_TEST(j["overall"]["delay"]["detected"].get<int>() == 2);
}
