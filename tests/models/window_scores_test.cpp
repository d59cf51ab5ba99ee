#define BOOST_TEST_MODULE window_scores
#include "models/features.hpp"
#include "models/window_scores.hpp"

#include <boost/test/unit_test.hpp>
#include <random>

using namespace rtad::models;

namespace {

/// Every row's score as the forest gives it, one row at a time.
std::vector<float> scored_afresh(const global_model& g) {
  std::vector<float> out;
  for (std::size_t i = 0; i < g.rows(); ++i)
    out.push_back(static_cast<float>(g.snapshot()->score(g.row(i))));
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(scores_kept_between_refits_equal_the_forests_own_bit_for_bit) {
  // A window of 512 rows, 8 of 32 trees replaced every 128 rows.
  global_model g{user_feature_count, {32, 128, 5}, 512, 128};
  window_scores scores;
  BOOST_TEST(scores.of(g).empty()); // no forest yet
  std::mt19937 gen(4);
  std::normal_distribution<float> d(0, 1);
  auto observe = [&](int n) {
    for (int i = 0; i < n; ++i) {
      user_features x{};
      for (auto& v : x)
        v = d(gen);
      g.observe(x.data());
    }
  };
  // While the window fills, as it turns over, after several refits at once,
  // with nothing new, and after a whole window and more.
  int refits_checked = 0;
  for (int n : {200, 60, 128, 300, 0, 1, 130, 700, 50}) {
    auto version = g.version();
    observe(n);
    refits_checked += g.version() != version;
    auto expected = scored_afresh(g);
    const auto& kept = scores.of(g);
    BOOST_TEST(kept == expected, boost::test_tools::per_element());
  }
  BOOST_TEST(refits_checked >= 5);
}

BOOST_AUTO_TEST_CASE(a_bootstrap_fit_scores_the_whole_window_afresh) {
  global_model g{user_feature_count, {16, 64, 5}, 256, 64};
  window_scores scores;
  std::vector<float> rows(user_feature_count * 400);
  std::mt19937 gen(5);
  std::uniform_real_distribution<float> u(0, 1);
  for (auto& v : rows)
    v = u(gen);
  g.fit({rows.data(), 300, user_feature_count});
  BOOST_TEST(scores.of(g) == scored_afresh(g), boost::test_tools::per_element());
  // Other rows under a forest fitted afresh: nothing of the first is kept.
  g.fit({rows.data() + 100 * user_feature_count, 300, user_feature_count});
  BOOST_TEST(scores.of(g) == scored_afresh(g), boost::test_tools::per_element());
}
