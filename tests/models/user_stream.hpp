#pragma once
// A deterministic stream of one user's habitual transactions, for model tests.

#include "models/features.hpp"

#include <array>
#include <cmath>
#include <random>
#include <string>

namespace rtad::test {

/// Owns the strings a models::txn_input points at.
struct owned_txn {
  double amount;
  std::int64_t timestamp;
  std::string country, category, payment, device, type;
  models::txn_input view() const {
    return {amount, timestamp, country, category, payment, device, type};
  }
};

/// A regular user: amounts log-normal around `median_amount`, one country,
/// a few categories, daytime hours, a transaction every few hours.
class user_stream {
public:
  explicit user_stream(unsigned seed, double median_amount = 40, std::string country = "US")
      : gen_(seed), median_(median_amount), country_(std::move(country)) {}

  owned_txn next() {
    std::lognormal_distribution<double> amount(std::log(median_), 0.35);
    std::uniform_int_distribution<int> gap_h(2, 9);
    std::uniform_int_distribution<int> cat(0, 2);
    now_ += gap_h(gen_) * 3600 + 17;
    // Keep to daytime: jump to 08:00 next day when past 20:00.
    auto hour = (now_ % 86400) / 3600;
    if (hour >= 20 || hour < 8)
      now_ = (now_ / 86400 + 1) * 86400 + 8 * 3600 + (now_ % 1800);
    return {std::round(amount(gen_) * 100) / 100,
            now_,
            country_,
            categories_[cat(gen_)],
            "credit_card",
            device_,
            "purchase"};
  }

  void move_to(std::string country) { country_ = std::move(country); }
  /// A new life: another country, device and shops.
  void change_habits(std::string country, std::string device) {
    country_ = std::move(country);
    device_ = std::move(device);
    categories_ = {"electronics", "travel", "entertainment"};
  }
  std::int64_t now() const { return now_; }
  void advance(std::int64_t seconds) { now_ += seconds; }

private:
  std::mt19937 gen_;
  double median_;
  std::string country_;
  std::string device_ = "mobile";
  std::array<std::string, 3> categories_{"groceries", "restaurants", "transport"};
  std::int64_t now_ = 1767225600; // 2026-01-01 00:00 UTC
};

} // namespace rtad::test
