#define BOOST_TEST_MODULE fit kernels
#include "models/fit_kernels.hpp"
#include "models/isolation_forest.hpp"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <numeric>
#include <random>
#include <vector>

using rtad::models::fit_kernels;
using rtad::models::forest_params;
using rtad::models::isolation_forest;

namespace {

/// Every kernel set this CPU can run; the portable one always.
std::vector<const fit_kernels*> kernel_sets() {
  std::vector<const fit_kernels*> out{&fit_kernels::portable()};
  if (const auto* k = fit_kernels::avx512())
    out.push_back(k);
  else
    BOOST_TEST_MESSAGE("this CPU has no AVX-512F: only the portable kernels are tested");
  return out;
}

std::vector<float> gaussian(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> normal(0, 1);
  std::vector<float> out(n);
  for (auto& v : out)
    v = normal(gen);
  return out;
}

/// `n` distinct rows of a column of `rows`, in random order.
std::vector<std::uint32_t> some_rows(std::size_t rows, std::size_t n, std::mt19937& gen) {
  std::vector<std::uint32_t> all(rows);
  std::iota(all.begin(), all.end(), 0u);
  std::shuffle(all.begin(), all.end(), gen);
  all.resize(n);
  return all;
}

/// Restores the kernels the process chose, whatever a test selected.
struct restore_kernels {
  const fit_kernels& before = fit_kernels::active();
  ~restore_kernels() { fit_kernels::select(before); }
};

} // namespace

BOOST_AUTO_TEST_CASE(the_fastest_kernels_this_cpu_has_are_active) {
  const auto* best = fit_kernels::avx512();
  BOOST_TEST(fit_kernels::active().name == (best ? best->name : fit_kernels::portable().name));
}

BOOST_AUTO_TEST_CASE(every_kernel_finds_the_exact_range_of_any_rows_and_copies_their_values) {
  auto column = gaussian(256, 1);
  std::mt19937 gen(2);
  for (const auto* k : kernel_sets())
    for (std::size_t n = 1; n <= 70; ++n) {
      auto rows = some_rows(column.size(), n, gen);
      auto [lo, hi] = std::minmax_element(rows.begin(), rows.end(),
                                          [&](auto a, auto b) { return column[a] < column[b]; });
      std::vector<float> values(n + 16, -1.0f);
      auto r = k->range_of(column.data(), rows.data(), n, values.data());
      BOOST_TEST_CONTEXT(k->name << ", " << n << " rows") {
        BOOST_TEST(r.lo == column[*lo]);
        BOOST_TEST(r.hi == column[*hi]);
        for (std::size_t i = 0; i < n; ++i)
          BOOST_TEST(values[i] == column[rows[i]]);
        // Nothing past max(n, 8), the room the kernels may take, is written.
        auto room = std::max<std::size_t>(n, 8);
        BOOST_TEST(std::count(values.begin() + room, values.end(), -1.0f) == n + 16 - room);
      }
    }
}

BOOST_AUTO_TEST_CASE(every_kernel_sends_each_row_to_its_side_and_writes_nothing_else) {
  auto column = gaussian(256, 3);
  std::mt19937 gen(4);
  constexpr std::uint32_t untouched = 0xdeadbeef;
  for (const auto* k : kernel_sets())
    for (std::size_t n = 1; n <= 70; ++n) {
      auto rows = some_rows(column.size(), n, gen);
      float split = column[rows[n / 2]];
      // The node's rows sit at [5, 5 + n) of a larger buffer, as in a tree.
      std::vector<std::uint32_t> out(n + 40, untouched);
      const auto begin = 5u, end = static_cast<std::uint32_t>(5 + n);
      std::vector<float> values(n);
      for (std::size_t i = 0; i < n; ++i)
        values[i] = column[rows[i]];
      auto l = k->partition(values.data(), rows.data(), n, split, out.data(), begin, end);
      std::vector<std::uint32_t> left, right;
      for (auto r : rows)
        (column[r] < split ? left : right).push_back(r);
      std::vector<std::uint32_t> got_left(out.begin() + begin, out.begin() + l);
      std::vector<std::uint32_t> got_right(out.begin() + l, out.begin() + end);
      std::sort(left.begin(), left.end());
      std::sort(right.begin(), right.end());
      std::sort(got_left.begin(), got_left.end());
      std::sort(got_right.begin(), got_right.end());
      BOOST_TEST_CONTEXT(k->name << ", " << n << " rows") {
        BOOST_TEST(l == begin + left.size());
        BOOST_TEST(got_left == left, boost::test_tools::per_element());
        BOOST_TEST(got_right == right, boost::test_tools::per_element());
        BOOST_TEST(std::count(out.begin(), out.begin() + begin, untouched) == begin);
        BOOST_TEST(std::count(out.begin() + end, out.end(), untouched) == 40 - begin);
      }
    }
}

BOOST_AUTO_TEST_CASE(forests_are_the_same_whichever_kernels_fit_them) {
  restore_kernels restore;
  auto data = gaussian(300 * 6, 5);
  // A column constant in all the data and one with a domain to split in, as
  // in the user features, besides the plain case.
  for (std::size_t r = 0; r < 300; ++r)
    data[r * 6 + 4] = 1.0f;
  auto fit = [&](const fit_kernels& k, forest_params p, bool domains) {
    fit_kernels::select(k);
    isolation_forest f(6, p);
    if (domains)
      f.set_domains({{-8, 8}, {-8, 8}, {-8, 8}, {-8, 8}, {0, 2}, {-8, 8}});
    f.fit({data.data(), 300, 6});
    // A refit of some trees too, from where the first fit left the RNG.
    f.refit_trees(3, 5, {data.data(), 200, 6});
    return f;
  };
  const std::vector<std::pair<forest_params, bool>> settings{
    {{100, 256, 7}, false}, {{50, 64, 42, true}, true}, {{20, 16, 9}, true}};
  for (const auto* k : kernel_sets())
    for (const auto& [p, domains] : settings)
      BOOST_TEST_CONTEXT(k->name << ", psi " << p.sample_size)
  BOOST_TEST((fit(*k, p, domains) == fit(fit_kernels::portable(), p, domains)));
}
