#pragma once
// A small deterministic population for end-to-end tests: users with habits
// of their own, and unmistakable account takeovers. (`rtad produce` makes
// realistic traffic; tests need something tiny and exact.)

#include "actors/detail/wall_clock.hpp"
#include "messages/codec.hpp"

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace rtad::test {

/// The node's clock, in epoch seconds: streams that must pass the door's
/// future check start from it.
inline std::int64_t wall_clock() {
  return wall_clock_s();
}

/// Generates transactions of `users` users, each with a home country,
/// device, spending level and daytime habits.
class population {
public:
  explicit population(int users, unsigned seed = 7, std::int64_t start = 1767225600)
      : gen_(seed), users_(users), now_(start) {}

  /// One habitual transaction of user `u`.
  transaction normal(int u) {
    std::lognormal_distribution<double> amount(std::log(10.0 * (1 + u % 7) * (1 + u % 3)), 0.3);
    static const char* countries[] = {"US", "DE", "FR", "GB", "JP"};
    static const char* categories[] = {"groceries", "restaurants", "transport"};
    std::uniform_int_distribution<int> cat(0, 2);
    transaction t;
    t.transaction_id = "t" + std::to_string(next_id_++);
    t.user_id = "user-" + std::to_string(u);
    t.amount = std::round(amount(gen_) * 100) / 100;
    t.currency = "USD";
    t.location = countries[u % 5];
    t.timestamp = tick();
    t.transaction_type = "purchase";
    t.merchant_id = "m" + std::to_string(cat(gen_));
    t.merchant_name = "Shop";
    t.merchant_category = categories[cat(gen_)];
    t.payment_method = "credit_card";
    t.device_type = u % 2 ? "mobile" : "tablet";
    t.ip_address = "10.0.0." + std::to_string(u % 250);
    t.anomalous = 0;
    return t;
  }

  /// An account takeover of user `u`: new country, device and shop, a large amount.
  transaction takeover(int u) {
    auto t = normal(u);
    t.amount = std::round(t.amount * 40 * 100) / 100;
    t.location = "NG";
    t.device_type = "desktop";
    t.merchant_category = "electronics";
    t.anomalous = 1;
    t.fraud_type = "account_takeover";
    return t;
  }

  /// A round of one normal transaction per user.
  std::vector<transaction> round() {
    std::vector<transaction> out;
    for (int u = 0; u < users_; ++u)
      out.push_back(normal(u));
    return out;
  }

  int users() const { return users_; }

private:
  std::int64_t tick() {
    now_ += 37; // a population: someone pays every half minute
    auto hour = (now_ % 86400) / 3600;
    if (hour < 8)
      now_ += (8 - hour) * 3600;
    if (hour >= 21)
      now_ += (24 - hour + 8) * 3600;
    return now_;
  }

  std::mt19937 gen_;
  int users_;
  std::int64_t now_;
  std::int64_t next_id_ = 0;
};

} // namespace rtad::test
