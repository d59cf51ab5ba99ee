#pragma once
// A fast writer of the wire format. encode_transaction builds a JSON tree per
// message, which caps a generator near 100,000 messages/s; this writes the
// same bytes directly.

#include "messages/transaction.hpp"

#include <string>

namespace rtad::gen {

/// Appends `t` exactly as rtad::encode_transaction writes it (same keys,
/// order and number format). Amounts on the cent grid and printable-ASCII
/// text take the fast path; anything else is handed to encode_transaction.
void append_json(std::string& out, const transaction& t);

/// Appends an amount given in whole cents as JSON writes the double
/// cents / 100 (shortest round-trip form: 12.5, 100.0, 0.07).
void append_cents(std::string& out, std::int64_t cents);

} // namespace rtad::gen
