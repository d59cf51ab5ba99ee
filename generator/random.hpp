#pragma once
// The generator's own random numbers. The standard library's distributions
// differ between implementations, so a seed would not give the same stream
// everywhere; these are specified here, bit for bit.

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace rtad::gen {

/// One step of SplitMix64: expands a seed into well-mixed 64-bit words.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Combines a seed with a stream number, so each user gets an independent
/// generator that does not change when the population grows.
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t s = seed ^ (stream * 0xd1b54a32d192ed03ULL);
  return splitmix64(s);
}

/// xoshiro256** (Blackman, Vigna 2018) with fully specified distributions.
class rng {
public:
  /// The state is expanded from `seed` by SplitMix64, as the authors advise.
  explicit rng(std::uint64_t seed = 0) {
    for (auto& w : s_)
      w = splitmix64(seed);
  }

  /// 64 uniformly random bits.
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform in [0, 1), 53 bits of precision.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  /// Uniform integer in [0, n); 0 < n < 2^53.
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>(uniform() * static_cast<double>(n));
  }

  /// Uniform integer in [lo, hi], both included.
  int between(int lo, int hi) {
    return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }

  /// True with probability p.
  bool chance(double p) { return uniform() < p; }

  /// Standard normal (Box-Muller, one value per call so no hidden state).
  double normal() {
    constexpr double two_pi = 6.283185307179586;
    const double u1 = 1.0 - uniform(); // (0, 1]: log stays finite
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(two_pi * u2);
  }

  /// Exponential with the given mean.
  double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }

  /// exp(N(mu, sigma^2)).
  double lognormal(double mu, double sigma) { return std::exp(mu + sigma * normal()); }

  /// log-uniform in [lo, hi): as likely to fall in [1, 10) as in [10, 100).
  double log_uniform(double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); }

  /// Index drawn in proportion to `weights[0..n)`; weights are non-negative
  /// and not all zero.
  template <class T>
  std::size_t weighted(const T* weights, std::size_t n) {
    double total = 0;
    for (std::size_t i = 0; i < n; ++i)
      total += weights[i];
    double x = uniform() * total;
    for (std::size_t i = 0; i + 1 < n; ++i) {
      if (x < weights[i])
        return i;
      x -= weights[i];
    }
    return n - 1;
  }

private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

/// Inverse of the standard normal CDF, for p in (0, 1) (Acklam's rational
/// approximation, relative error below 1.2e-9: ample for choosing amounts).
double normal_quantile(double p);

} // namespace rtad::gen
