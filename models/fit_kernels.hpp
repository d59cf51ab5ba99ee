#pragma once
// The two loops over a node's rows, where building an Isolation Forest tree
// spends a third to a half of its time, in a portable version and an
// AVX-512 one chosen at run time. Both give the same forests: a node's range is exact and its
// children get the same rows (in another order, which no later step reads).

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rtad::models {

struct fit_kernels {
  struct range {
    float lo, hi;
  };
  /// Smallest and largest `column[rows[i]]`, i < n (n >= 1, finite values);
  /// also copies the values to `values[i]` for the partition that follows.
  /// `values` has room for max(n, 8): a few rows are read without a branch.
  range (*range_of)(const float* column, const std::uint32_t* rows, std::size_t n, float* values);
  /// Writes the rows with `values[i] < split` to `out[left...]` and the
  /// others to `out[...right_end)`, growing from either end; returns where
  /// the left rows end (= where the right rows begin).
  std::uint32_t (*partition)(const float* values, const std::uint32_t* rows, std::size_t n,
                             float split, std::uint32_t* out, std::uint32_t left,
                             std::uint32_t right_end);
  std::string_view name;

  /// The plain C++ loops, for any CPU.
  static const fit_kernels& portable();
  /// AVX-512 gathers and compress stores; null when the CPU lacks AVX-512F.
  static const fit_kernels* avx512();
  /// The kernels every fit uses: the fastest the CPU has.
  static const fit_kernels& active();
  /// Makes fits use `k` from now on (tests and benchmarks compare them).
  static void select(const fit_kernels& k);
};

} // namespace rtad::models
