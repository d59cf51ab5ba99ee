#pragma once
// Injected fraud and benign surprises. Each is built so that one signal a
// detector could use is present (new device, burst, new category, amount,
// distance in time) and the rest looks like the user.

#include "generator/draft.hpp"
#include "generator/population.hpp"

#include <cstdint>

namespace rtad::gen {

/// Starts a fraud episode of kind `k` (a fraud kind) against `u`, whose
/// genuine transaction at `now_ms` was just made. Fills `s.fraud` and
/// returns the simulated time of the episode's first transaction.
std::int64_t start_fraud(event_kind k, const user_profile& u, user_state& s, std::int64_t now_ms);

/// The next transaction of the episode in progress (one must be); counts it.
draft next_fraud_draft(const user_profile& u, user_state& s);

/// Time from one transaction of the episode in progress to the next.
std::int64_t fraud_gap_ms(user_state& s);

/// A benign_large_purchase: the user's own distribution at about its
/// once-a-year quantile, in one of their own categories.
draft large_purchase_draft(const user_profile& u, user_state& s, std::uint8_t country);

/// Begins a benign_trip to a country the user has never been to; the next
/// 3..8 genuine transactions happen there.
void start_trip(const user_profile& u, user_state& s);

/// Begins a benign_new_device phase: this and the next 0..2 transactions use
/// a device type the user never had; afterwards it stays among theirs.
void start_new_device(user_profile& u, user_state& s);

/// True when the user has a device type they never used so far (so a new
/// device or a takeover from one is possible).
bool has_unused_device(const user_profile& u, const user_state& s);

} // namespace rtad::gen
