#define BOOST_TEST_MODULE isolation forest
#include "models/isolation_forest.hpp"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <random>

using rtad::models::average_path_length;
using rtad::models::forest_params;
using rtad::models::isolation_forest;
using rtad::models::matrix_view;

namespace {

std::vector<float> gaussian(std::size_t rows, std::size_t dims, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> n(0, 1);
  std::vector<float> out(rows * dims);
  for (auto& x : out)
    x = n(gen);
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(average_path_length_matches_the_paper) {
  BOOST_TEST(average_path_length(0) == 0.0);
  BOOST_TEST(average_path_length(1) == 0.0);
  BOOST_TEST(average_path_length(2) == 1.0);
  // c(3) = 2 H(2) - 2 * 2/3 = 3 - 4/3
  BOOST_TEST(average_path_length(3) == 5.0 / 3.0, boost::test_tools::tolerance(1e-12));
  // c(256) with the exact harmonic number H(255).
  double h = 0;
  for (int i = 1; i <= 255; ++i)
    h += 1.0 / i;
  BOOST_TEST(average_path_length(256) == 2 * h - 2.0 * 255 / 256,
             boost::test_tools::tolerance(1e-12));
  // The asymptotic branch joins the exact one smoothly.
  double h_big = 0;
  for (int i = 1; i <= 5000; ++i)
    h_big += 1.0 / i;
  BOOST_TEST(average_path_length(5001) == 2 * h_big - 2.0 * 5000 / 5001,
             boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(constant_data_scores_exactly_one_half) {
  // Every tree is one leaf holding psi points, so E[h] = c(psi): s = 2^-1.
  std::vector<float> data(64 * 3, 1.5f);
  isolation_forest f(3, {10, 32, 7});
  f.fit({data.data(), 64, 3});
  // Leaves keep their path length as float, hence the tolerance.
  BOOST_TEST(f.score(data.data()) == 0.5, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(score_rises_for_a_far_outlier) {
  auto data = gaussian(1000, 4, 1);
  isolation_forest f(4, {100, 256, 3});
  f.fit({data.data(), 1000, 4});
  std::vector<float> far{8, -8, 8, -8};
  std::vector<float> centre{0, 0, 0, 0};
  BOOST_TEST(f.score(far.data()) > 0.7);
  BOOST_TEST(f.score(centre.data()) < 0.5);
  BOOST_TEST(f.score(far.data()) > f.score(centre.data()) + 0.25);
}

BOOST_AUTO_TEST_CASE(same_seed_gives_the_same_forest_and_another_seed_does_not) {
  auto data = gaussian(500, 5, 2);
  matrix_view v{data.data(), 500, 5};
  isolation_forest a(5, {50, 128, 11}), b(5, {50, 128, 11}), c(5, {50, 128, 12});
  a.fit(v);
  b.fit(v);
  c.fit(v);
  BOOST_TEST((a == b));
  BOOST_TEST(!(a == c));
  BOOST_TEST(a.score(data.data() + 5) == b.score(data.data() + 5));
}

BOOST_AUTO_TEST_CASE(batch_scores_equal_single_row_scores) {
  auto data = gaussian(203, 6, 3); // not a multiple of the batch block
  matrix_view v{data.data(), 203, 6};
  isolation_forest f(6, {37, 64, 5}); // not a multiple of the 4-tree interleave
  f.fit(v);
  std::vector<double> batch(203);
  f.score_batch(v, batch.data());
  for (std::size_t r = 0; r < 203; ++r)
    BOOST_TEST(batch[r] == f.score(v.row(r)), boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(path_length_respects_the_height_limit) {
  auto data = gaussian(300, 2, 4);
  isolation_forest f(2, {20, 16, 9});
  f.fit({data.data(), 300, 2});
  // ceil(log2 16) = 4; a leaf at the limit holds at most 16 points.
  std::vector<float> far{100, 100};
  double h = f.mean_path_length(far.data());
  BOOST_TEST(h <= 4 + average_path_length(16));
  BOOST_TEST(h >= 1.0);
  BOOST_TEST(f.effective_sample_size() == 16u);
}

BOOST_AUTO_TEST_CASE(sample_size_is_capped_by_the_rows) {
  auto data = gaussian(40, 2, 5);
  isolation_forest f(2, {10, 256, 1});
  f.fit({data.data(), 40, 2});
  BOOST_TEST(f.effective_sample_size() == 40u);
}

BOOST_AUTO_TEST_CASE(attribution_names_the_feature_that_isolates) {
  auto data = gaussian(1000, 5, 6);
  isolation_forest f(5, {100, 256, 2});
  f.fit({data.data(), 1000, 5});
  std::vector<float> x{0, 0, 9, 0, 0};
  auto a = f.path_attribution(x.data());
  double sum = 0;
  for (auto v : a)
    sum += v;
  BOOST_TEST(sum == 1.0, boost::test_tools::tolerance(1e-9));
  for (std::size_t i = 0; i < 5; ++i)
    if (i != 2)
      BOOST_TEST(a[2] > 2 * a[i]);
}

// Explanations follow the row's path with the sizes kept beside the nodes:
// the ones counted while building (and spliced by a refit) must be the ones
// a restore recovers from the leaves, empty leaves (a split inside a
// constant feature's domain) included.
BOOST_AUTO_TEST_CASE(attribution_is_the_same_after_refits_and_a_restore) {
  auto data = gaussian(600, 4, 9);
  for (std::size_t r = 0; r < 600; ++r)
    data[r * 4 + 3] = 1; // constant: only its domain splits it
  isolation_forest f(4, {30, 128, 4});
  f.set_domains({{-5, 5}, {-5, 5}, {-5, 5}, {0, 2}});
  f.fit({data.data(), 600, 4});
  auto more = gaussian(600, 4, 10);
  for (std::size_t r = 0; r < 600; ++r)
    more[r * 4 + 3] = 1;
  f.refit_trees(25, 12, {more.data(), 600, 4}); // wraps: trees 25..29, 0..6
  isolation_forest g(4, {30, 128, 4});
  g.set_domains(f.domains());
  g.restore(4, f.params(), f.effective_sample_size(), f.rng_state(), f.trees());
  BOOST_REQUIRE(g == f);
  auto rows = gaussian(50, 4, 11);
  rows[3] = 1.5; // a value of the constant feature never seen
  rows[4] = 8;   // far out on the first
  for (std::size_t r = 0; r < 50; ++r) {
    auto a = f.path_attribution(rows.data() + r * 4);
    auto b = g.path_attribution(rows.data() + r * 4);
    for (std::size_t i = 0; i < 4; ++i)
      BOOST_TEST(a[i] == b[i]);
  }
  auto novel = f.path_attribution(rows.data());
  BOOST_TEST(novel[3] > 0.5); // the unseen value is what isolates it
}

BOOST_AUTO_TEST_CASE(refit_replaces_only_the_chosen_trees) {
  auto old_data = gaussian(256, 3, 7);
  auto new_data = gaussian(256, 3, 8);
  isolation_forest f(3, {8, 64, 3});
  f.fit({old_data.data(), 256, 3});
  auto before = f.trees();
  f.refit_trees(6, 4, {new_data.data(), 256, 3}); // wraps: trees 6, 7, 0, 1
  auto after = f.trees();
  auto same = [](const auto& x, const auto& y) {
    if (x.size() != y.size())
      return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (x[i].split != y[i].split || x[i].feature != y[i].feature)
        return false;
    return true;
  };
  for (std::size_t t : {2, 3, 4, 5})
    BOOST_TEST(same(before[t], after[t]));
  for (std::size_t t : {0, 1, 6, 7})
    BOOST_TEST(!same(before[t], after[t]));
}

BOOST_AUTO_TEST_CASE(bad_shapes_are_refused_with_a_reason) {
  BOOST_CHECK_THROW(isolation_forest(0, {}), std::invalid_argument);
  BOOST_CHECK_THROW(isolation_forest(3, {0, 64, 1}), std::invalid_argument);
  isolation_forest f(3, {});
  std::vector<float> one(3, 0.f);
  BOOST_CHECK_THROW(f.fit({one.data(), 1, 3}), std::invalid_argument);
  BOOST_CHECK_THROW(f.fit({one.data(), 1, 2}), std::invalid_argument);
}
