#pragma once
// Scored transactions as the sink stores them, for tests of the writer.

#include "messages/results.hpp"

#include <cstdint>
#include <string>

namespace rtad::test {

/// An everyday verdict on transaction `i` of partition 0 (offset `i`), by one
/// of three users, at `timestamp`.
inline scored_transaction stored_row(int i, std::int64_t timestamp) {
  scored_transaction s;
  s.txn.transaction_id = "tx-" + std::to_string(i);
  s.txn.user_id = "u" + std::to_string(i % 3);
  s.txn.amount = 10 + i;
  s.txn.currency = "EUR";
  s.txn.location = "DE";
  s.txn.timestamp = timestamp;
  s.txn.transaction_type = "purchase";
  s.txn.partition = 0;
  s.txn.offset = i;
  s.score = 0.4;
  s.threshold = 0.6;
  s.risk = "none";
  s.model_used = "user";
  return s;
}

} // namespace rtad::test
