#define BOOST_TEST_MODULE streaming quantile and global model
#include "models/global_model.hpp"
#include "models/quantile.hpp"

#include <boost/test/unit_test.hpp>
#include <random>

using namespace rtad::models;

BOOST_AUTO_TEST_CASE(p_square_tracks_a_high_quantile_of_a_known_distribution) {
  std::mt19937 gen(5);
  std::uniform_real_distribution<double> u(0, 1);
  std::exponential_distribution<double> e(1);
  p2_quantile qu(0.99), qe(0.99);
  for (int i = 0; i < 100000; ++i) {
    qu.add(u(gen));
    qe.add(e(gen));
  }
  BOOST_TEST(qu.value() == 0.99, boost::test_tools::tolerance(0.005));
  BOOST_TEST(qe.value() == -std::log(0.01), boost::test_tools::tolerance(0.03)); // 4.605
}

BOOST_AUTO_TEST_CASE(p_square_with_few_samples_gives_the_maximum) {
  p2_quantile q(0.9);
  BOOST_TEST(q.value() == 0.0);
  q.add(3);
  q.add(1);
  BOOST_TEST(q.value() == 3.0);
}

BOOST_AUTO_TEST_CASE(the_global_model_fits_once_it_has_a_sample_then_turns_over) {
  global_model g(2, {10, 32, 1}, 128, 16);
  std::mt19937 gen(6);
  std::normal_distribution<float> n(0, 1);
  float row[2];
  for (int i = 0; i < 31; ++i) {
    row[0] = n(gen);
    row[1] = n(gen);
    BOOST_TEST(!g.observe(row));
  }
  BOOST_TEST(!g.snapshot());
  row[0] = n(gen);
  BOOST_TEST(g.observe(row));
  auto first = g.snapshot();
  BOOST_REQUIRE(first);
  BOOST_TEST(first->trained());
  int refits = 0;
  for (int i = 0; i < 64; ++i) {
    row[0] = n(gen);
    row[1] = n(gen);
    refits += g.observe(row);
  }
  BOOST_TEST(refits == 4);
  BOOST_TEST(g.version() == 5u);
  // Earlier snapshots stay as they were for scorers still holding them.
  BOOST_TEST(first.get() != g.snapshot().get());
  // Ten trees on 32 rows are noisy: compare with the centre, not a constant.
  float far[2] = {9, 9}, centre[2] = {0, 0};
  BOOST_TEST(first->score(far) > first->score(centre) + 0.1, first->score(far)
                                                               << " vs " << first->score(centre));
}
