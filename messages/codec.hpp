#pragma once

#include "messages/transaction.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace rtad {

/// Why a message could not be accepted; stored with the raw bytes in quarantine.
struct decode_error {
  std::string reason;
};

/// Decodes one message of the original system's wire format. Never throws:
/// anything that is not a plausible transaction comes back as a reason.
std::variant<transaction, decode_error> decode_transaction(std::string_view bytes);

/// Encodes a transaction in the wire format (ground truth included when known).
std::string encode_transaction(const transaction& t);

/// Largest amount accepted; above it a message is quarantined as absurd.
inline constexpr double max_amount = 1e9;
/// Accepted timestamps: 2000-01-01 to 2100-01-01.
inline constexpr std::int64_t min_timestamp = 946684800;
inline constexpr std::int64_t max_timestamp = 4102444800;

} // namespace rtad
