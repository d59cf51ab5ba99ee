#pragma once
// Deterministic, realistic inputs for the model benchmarks: Gaussian rows for
// the plain forest, and users whose habits are regular but not perfectly so.

#include "models/features.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace rtad::bench {

/// Row-major standard-normal data, rows x dims.
inline std::vector<float> gaussian_rows(std::size_t rows, std::size_t dims, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> out(rows * dims);
  for (auto& v : out)
    v = normal(gen);
  return out;
}

/// A transaction that owns the strings its models::txn_input view points at.
struct owned_txn {
  double amount = 0;
  std::int64_t timestamp = 0;
  std::string country, category, payment, device, type;
  models::txn_input view() const {
    return {amount, timestamp, country, category, payment, device, type};
  }
};

/// One user: log-normal amounts around a personal median, a home country,
/// favourite shops with a long tail, daytime hours, a transaction every few
/// hours. About 2 % of transactions are out of habit (a new shop, a trip, a
/// large amount, another device) and 0.5 % look like an account takeover, so
/// a model sees both normal learning and flagged transactions.
class user_stream {
public:
  explicit user_stream(unsigned seed, double median_amount = 40, std::string home = "US")
      : gen_(seed), median_(median_amount), home_(std::move(home)) {}

  owned_txn next() {
    static const std::array<const char*, 8> categories{"groceries", "restaurants",  "transport",
                                                       "fuel",      "pharmacy",     "electronics",
                                                       "travel",    "entertainment"};
    static const std::array<const char*, 6> abroad{"DE", "FR", "GB", "ES", "NG", "BR"};
    std::lognormal_distribution<double> amount(std::log(median_), 0.45);
    std::uniform_int_distribution<int> gap_minutes(20, 600);
    std::uniform_real_distribution<double> u(0, 1);
    std::geometric_distribution<int> favourite(0.5);
    now_ += gap_minutes(gen_) * 60 + 7;
    auto hour = (now_ % 86400) / 3600;
    if (hour >= 22 || hour < 7)
      now_ = (now_ / 86400 + 1) * 86400 + 7 * 3600 + (now_ % 2700);
    owned_txn t{std::round(amount(gen_) * 100) / 100,
                now_,
                home_,
                categories[static_cast<std::size_t>(std::min(favourite(gen_), 7))],
                u(gen_) < 0.9 ? "credit_card" : "debit_card",
                u(gen_) < 0.95 ? "mobile" : "desktop",
                u(gen_) < 0.97 ? "purchase" : "transfer"};
    double odd = u(gen_);
    if (odd < 0.005) { // takeover: large amount, far country, new device, minutes later
      t.amount = std::round(median_ * (40 + 80 * u(gen_)) * 100) / 100;
      t.country = abroad[static_cast<std::size_t>(u(gen_) * abroad.size())];
      t.device = "tablet";
      t.type = "withdrawal";
    } else if (odd < 0.025) { // out of habit, still the user
      t.amount *= 3;
      if (u(gen_) < 0.5)
        t.country = abroad[static_cast<std::size_t>(u(gen_) * 4)];
    }
    return t;
  }

private:
  std::mt19937 gen_;
  double median_;
  std::string home_;
  std::int64_t now_ = 1767225600; // 2026-01-01 00:00 UTC
};

} // namespace rtad::bench
