#pragma once
// The users of a generated stream: each with habits of their own, drawn from
// a seed so that the same seed always gives the same people.

#include "generator/catalog.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rtad::gen {

/// A kind of customer. Their typical amounts differ by orders of magnitude,
/// which is why one global amount threshold cannot work.
enum class segment : std::uint8_t { student, regular, affluent, business, occasional };
/// Number of segments.
inline constexpr std::size_t segment_count = 5;
/// "student", "business", ...
const char* to_string(segment s);

/// A small weighted choice (categories, payment methods, devices of one user).
template <class T>
struct preference {
  std::vector<T> items;
  std::vector<double> weights; ///< same length as items, not normalised
  /// Whether `x` is among the items.
  bool contains(T x) const {
    for (auto i : items)
      if (i == x)
        return true;
    return false;
  }
};

/// One user's habits. Amounts are log-normal in USD (converted to the home
/// currency on output); activity follows local hours.
struct user_profile {
  std::uint32_t index = 0;
  std::string id; ///< wire `user_id` and Kafka key, e.g. "u42"
  segment kind = segment::regular;
  std::uint8_t home = 0;               ///< country index
  int second = -1;                     ///< country index visited regularly, -1 for none
  double rate_per_day = 1;             ///< mean transactions per simulated day
  double amount_mu = 0;                ///< log of the median amount in USD
  double amount_sigma = 0.5;           ///< log-space spread of this user's amounts
  std::array<float, 24> hour_weight{}; ///< relative activity per local hour, max 1
  double mean_hour_weight = 1;         ///< mean of hour_weight, for the arrival rate
  preference<std::uint8_t> categories; ///< category indices
  preference<payment> payments;
  preference<device> devices;
  std::uint32_t ip_host = 0; ///< low 24 bits of this user's home addresses
};

/// What to generate.
struct population_params {
  std::uint64_t seed = 1;
  std::size_t users = 1000;
};

/// Users 0..users-1. User i depends only on (seed, i): a larger population
/// keeps the smaller one's people.
std::vector<user_profile> make_population(const population_params& p);

/// One user, as make_population makes it.
user_profile make_user(std::uint64_t seed, std::uint32_t index);

/// Sum of the users' rates: transactions per simulated day.
double total_rate_per_day(const std::vector<user_profile>& users);

/// Share of a user's transactions made while staying in their second country.
inline constexpr double share_abroad = 0.08;

} // namespace rtad::gen
