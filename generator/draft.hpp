#pragma once
// The generator's working types: a transaction before it becomes text, and
// what the generator remembers about each user while the stream runs.

#include "generator/catalog.hpp"
#include "generator/event_kind.hpp"
#include "generator/random.hpp"

#include <cstdint>

namespace rtad::gen {

/// A transaction in the generator's own terms (indices, USD); the stream
/// turns it into an rtad::transaction.
struct draft {
  event_kind kind = event_kind::genuine;
  std::uint8_t country = 0; ///< where it happened
  std::uint8_t category = 0;
  int merchant = 0;      ///< number within the category
  double amount_usd = 0; ///< billed in the user's home currency on output
  payment pay = payment::credit_card;
  device dev = device::mobile;
  std::uint32_t ip = 0; ///< IPv4 address, host order
};

/// A fraud episode in progress: the attacker keeps their country, device and
/// merchant for all of its transactions.
struct fraud_episode {
  event_kind kind = event_kind::genuine; ///< genuine: none in progress
  int remaining = 0;                     ///< transactions still to come
  std::int64_t gap_min_ms = 0;           ///< spacing between them
  std::int64_t gap_max_ms = 0;
  draft pattern; ///< fields shared by the episode
};

/// What changes about a user while the stream runs.
struct user_state {
  rng random;
  std::uint8_t last_country = 0;   ///< of the last genuine transaction
  std::uint32_t genuine_count = 0; ///< genuine transactions so far (surprises included)
  int away_country = -1;           ///< country of a trip or stay in progress, else -1
  int away_remaining = 0;          ///< genuine transactions left there
  bool away_is_trip = false;       ///< a benign_trip (labelled), not a usual stay
  int new_device = -1;             ///< device index of a benign_new_device phase, else -1
  int new_device_remaining = 0;
  fraud_episode fraud;
};

/// An address in `country` (first octet) with the given low 24 bits.
inline std::uint32_t address_in(const country& c, std::uint32_t host) {
  return (static_cast<std::uint32_t>(c.ip_first_octet) << 24) | (host & 0xffffff);
}

} // namespace rtad::gen
