#pragma once

#include "messages/transaction.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace rtad {

/// Why a message could not be accepted; stored with the raw bytes in quarantine.
struct decode_error {
  std::string reason;
};

/// What the decoder checks that the bytes alone cannot tell.
struct decode_options {
  /// The node's wall clock in epoch seconds; 0: no check against it (files,
  /// tools), only the 2000-2100 range below.
  std::int64_t now = 0;
  /// How far a timestamp may be ahead of `now` (input.max_future_s): a clock
  /// a little fast is fine, a year 2099 is a broken producer.
  std::int64_t max_future_s = 86400;
  /// Fields the format does not know, top-level or nested (a producer that
  /// added one is not broken): refused, or accepted and counted in
  /// `*unknown_fields` when given.
  bool refuse_unknown_fields = false;
  std::uint64_t* unknown_fields = nullptr;
};

/// Decodes one message of the original system's wire format. Never throws:
/// anything that is not a plausible transaction comes back as a reason.
/// Every text field stored (top-level or nested) must be valid UTF-8 without
/// NUL (PostgreSQL's text cannot hold either) and within the limits below.
std::variant<transaction, decode_error> decode_transaction(std::string_view bytes,
                                                           const decode_options& options = {});

/// Encodes a transaction in the wire format (ground truth included when known).
std::string encode_transaction(const transaction& t);

/// Longest identifier accepted (transaction_id, user_id, merchant.merchant_id),
/// in bytes: ids key profiles, shards and indexes, and real ones are short.
inline constexpr std::size_t max_id_bytes = 128;
/// Longest text accepted in any other field (names, categories, addresses, ...).
inline constexpr std::size_t max_text_bytes = 256;

/// Largest amount accepted; above it a message is quarantined as absurd.
inline constexpr double max_amount = 1e9;
/// Accepted timestamps: 2000-01-01 to 2100-01-01.
inline constexpr std::int64_t min_timestamp = 946684800;
inline constexpr std::int64_t max_timestamp = 4102444800;

} // namespace rtad
