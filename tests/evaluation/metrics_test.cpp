#define BOOST_TEST_MODULE evaluation metrics
#include "evaluation/metrics.hpp"

#include <boost/test/unit_test.hpp>

using namespace rtad::eval;

namespace tt = boost::test_tools;

BOOST_AUTO_TEST_CASE(precision_recall_and_f1_from_counts) {
  confusion c{3, 2, 3, 2};
  BOOST_TEST(c.precision() == 0.6, tt::tolerance(1e-12));
  BOOST_TEST(c.recall() == 0.5, tt::tolerance(1e-12));
  BOOST_TEST(c.f1() == 6.0 / 11.0, tt::tolerance(1e-12));
  BOOST_TEST(c.false_positive_rate() == 0.5, tt::tolerance(1e-12));
  confusion nothing{};
  BOOST_TEST(nothing.precision() == 0.0);
  BOOST_TEST(nothing.f1() == 0.0);
}

BOOST_AUTO_TEST_CASE(average_precision_matches_scikit_learns_example) {
  // sklearn.metrics.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8333...
  std::vector<ranked> v{{0.1, false}, {0.4, false}, {0.35, true}, {0.8, true}};
  BOOST_TEST(average_precision(v) == 5.0 / 6.0, tt::tolerance(1e-12));
  BOOST_TEST(best_f1(v) == 0.8, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(tied_scores_count_as_one_threshold) {
  // All tied: one threshold, precision = prevalence (scikit-learn gives 0.5).
  std::vector<ranked> v{{0.5, true}, {0.5, false}, {0.5, true}, {0.5, false}};
  BOOST_TEST(average_precision(v) == 0.5, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(a_perfect_ranking_scores_one_and_no_positives_score_zero) {
  std::vector<ranked> perfect{{0.9, true}, {0.8, true}, {0.2, false}, {0.1, false}};
  BOOST_TEST(average_precision(perfect) == 1.0);
  std::vector<ranked> none{{0.9, false}, {0.1, false}};
  BOOST_TEST(average_precision(none) == 0.0);
  std::vector<ranked> inverted{{0.1, true}, {0.9, false}};
  BOOST_TEST(average_precision(inverted) == 0.5, tt::tolerance(1e-12));
}
