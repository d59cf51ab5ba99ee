#include "models/fit_kernels.hpp"

#include <algorithm>
#include <atomic>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define RTAD_HAVE_AVX512_KERNELS 1
#endif

namespace rtad::models {

namespace {

/// For 1..8 rows, without a branch on how many: rows past the last read the
/// last again, and all eight values are written (`values` has room).
fit_kernels::range few_rows_range(const float* col, const std::uint32_t* rows, std::size_t n,
                                  float* values) {
  float v[8];
  for (std::size_t i = 0; i < 8; ++i)
    v[i] = values[i] = col[rows[i < n ? i : n - 1]];
  float lo01 = std::min(v[0], v[1]), lo23 = std::min(v[2], v[3]);
  float lo45 = std::min(v[4], v[5]), lo67 = std::min(v[6], v[7]);
  float hi01 = std::max(v[0], v[1]), hi23 = std::max(v[2], v[3]);
  float hi45 = std::max(v[4], v[5]), hi67 = std::max(v[6], v[7]);
  return {std::min(std::min(lo01, lo23), std::min(lo45, lo67)),
          std::max(std::max(hi01, hi23), std::max(hi45, hi67))};
}

fit_kernels::range portable_range(const float* col, const std::uint32_t* rows, std::size_t n,
                                  float* values) {
  if (n <= 8)
    return few_rows_range(col, rows, n, values);
  // Two minima and two maxima: independent chains the CPU overlaps.
  float lo0 = col[rows[0]], hi0 = lo0, lo1 = lo0, hi1 = lo0;
  std::size_t i = 0;
  for (; i + 2 <= n; i += 2) {
    float a = col[rows[i]], b = col[rows[i + 1]];
    values[i] = a;
    values[i + 1] = b;
    lo0 = std::min(lo0, a);
    hi0 = std::max(hi0, a);
    lo1 = std::min(lo1, b);
    hi1 = std::max(hi1, b);
  }
  if (i != n) {
    float a = col[rows[i]];
    values[i] = a;
    lo0 = std::min(lo0, a);
    hi0 = std::max(hi0, a);
  }
  return {std::min(lo0, lo1), std::max(hi0, hi1)};
}

std::uint32_t portable_partition(const float* values, const std::uint32_t* rows, std::size_t n,
                                 float split, std::uint32_t* out, std::uint32_t l,
                                 std::uint32_t right_end) {
  // Branch-free: each row is written to both ends and only its side
  // advances, so no comparison is mispredicted.
  auto r = right_end - 1;
  for (std::size_t i = 0; i < n; ++i) {
    auto row = rows[i];
    bool goes_left = values[i] < split;
    out[l] = row;
    out[r] = row;
    l += goes_left;
    r -= !goes_left;
  }
  return l;
}

#ifdef RTAD_HAVE_AVX512_KERNELS

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's own AVX-512 headers start vectors from an "undefined" value and
// then warn that it is uninitialised (GCC bug 105593, fixed in GCC 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

// 16 rows at a time, the last group under a mask, so nothing is read or
// written past the node's rows: the mask of a group with `left` rows to go.
__mmask16 group_mask(std::size_t left) {
  return static_cast<__mmask16>(left >= 16 ? 0xffffu : (1u << left) - 1);
}

__attribute__((target("avx512f"))) fit_kernels::range
avx512_range(const float* col, const std::uint32_t* rows, std::size_t n, float* values) {
  // For so few rows a gather's latency costs more than plain loads.
  if (n <= 8)
    return few_rows_range(col, rows, n, values);
  __m512 lo = _mm512_set1_ps(col[rows[0]]);
  __m512 hi = lo;
  for (std::size_t i = 0; i < n; i += 16) {
    auto m = group_mask(n - i);
    __m512 v = _mm512_mask_i32gather_ps(lo, m, _mm512_maskz_loadu_epi32(m, rows + i), col, 4);
    _mm512_mask_storeu_ps(values + i, m, v);
    lo = _mm512_min_ps(v, lo);
    hi = _mm512_max_ps(v, hi);
  }
  return {_mm512_reduce_min_ps(lo), _mm512_reduce_max_ps(hi)};
}

__attribute__((target("avx512f"))) std::uint32_t
avx512_partition(const float* values, const std::uint32_t* rows, std::size_t n, float split,
                 std::uint32_t* out, std::uint32_t l, std::uint32_t right_end) {
  const __m512 s = _mm512_set1_ps(split);
  for (std::size_t i = 0; i < n; i += 16) {
    auto m = group_mask(n - i);
    __m512i idx = _mm512_maskz_loadu_epi32(m, rows + i);
    __mmask16 left =
      _mm512_mask_cmp_ps_mask(m, _mm512_maskz_loadu_ps(m, values + i), s, _CMP_LT_OQ);
    __mmask16 right = static_cast<__mmask16>(m & ~left);
    auto nl = static_cast<unsigned>(__builtin_popcount(left));
    auto nr = static_cast<unsigned>(__builtin_popcount(right));
    // Compress in a register, then a masked store: a compress straight to
    // memory is microcoded on several CPUs.
    _mm512_mask_storeu_epi32(out + l, static_cast<__mmask16>((1u << nl) - 1),
                             _mm512_maskz_compress_epi32(left, idx));
    right_end -= nr;
    _mm512_mask_storeu_epi32(out + right_end, static_cast<__mmask16>((1u << nr) - 1),
                             _mm512_maskz_compress_epi32(right, idx));
    l += nl;
  }
  return l;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif

const fit_kernels portable_kernels{portable_range, portable_partition, "portable"};
#ifdef RTAD_HAVE_AVX512_KERNELS
const fit_kernels avx512_kernels{avx512_range, avx512_partition, "avx512"};
#endif

const fit_kernels& best() {
  if (const auto* k = fit_kernels::avx512())
    return *k;
  return portable_kernels;
}

std::atomic<const fit_kernels*>& selected() {
  static std::atomic<const fit_kernels*> k{&best()};
  return k;
}

} // namespace

const fit_kernels& fit_kernels::portable() {
  return portable_kernels;
}

const fit_kernels* fit_kernels::avx512() {
#ifdef RTAD_HAVE_AVX512_KERNELS
  static const bool supported = __builtin_cpu_supports("avx512f");
  return supported ? &avx512_kernels : nullptr;
#else
  return nullptr;
#endif
}

const fit_kernels& fit_kernels::active() {
  return *selected().load(std::memory_order_relaxed);
}

void fit_kernels::select(const fit_kernels& k) {
  selected().store(&k, std::memory_order_relaxed);
}

} // namespace rtad::models
