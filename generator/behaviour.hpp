#pragma once
// A user's everyday transactions: drawn from their own habits.

#include "generator/draft.hpp"
#include "generator/population.hpp"

#include <cstdint>

namespace rtad::gen {

/// Simulated milliseconds per day and per hour.
inline constexpr std::int64_t ms_per_hour = 3600 * 1000;
inline constexpr std::int64_t ms_per_day = 24 * ms_per_hour;

/// A genuine transaction of `u` in `country`, with the user's own amounts,
/// categories, merchants, payment methods and devices.
draft genuine_draft(const user_profile& u, user_state& s, std::uint8_t country);

/// The user's usual amount: a draw from their own log-normal, in USD.
double usual_amount_usd(const user_profile& u, rng& r);

/// How many standard deviations above the median a user's once-a-year
/// amount lies: the 1 - 1/(transactions per year) quantile, clamped to a
/// sensible range so rare and frequent users both get one.
double yearly_tail_z(const user_profile& u);

/// Local hour (0..23) at simulated time `at_ms` in `country`, with the
/// simulated clock starting at `start_epoch_s`.
int local_hour(std::int64_t start_epoch_s, std::int64_t at_ms, const country& c);

/// Time of the user's next transaction after `after_ms` in `country`: a
/// Poisson process whose intensity follows the user's local active hours.
std::int64_t next_arrival_ms(const user_profile& u, rng& r, std::int64_t start_epoch_s,
                             std::int64_t after_ms, const country& c);

/// Shortest plausible time to travel between two countries (flight plus
/// getting to and from airports); zero within a country.
std::int64_t travel_time_ms(const country& from, const country& to);

} // namespace rtad::gen
