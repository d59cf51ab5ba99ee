#pragma once
// Stored transaction history for tests of what is built from it: rows
// written by the sink's own writer, as a node would have stored them.

#include "actors/detail/pg_writer.hpp"
#include "support/stream.hpp"

#include <string>
#include <vector>

namespace rtad::test {

/// `count` transactions of one user from `people` (user index `u`), stored
/// as user `user` on partition 0 from offset `first_offset`, with plausible
/// verdicts: takeovers (every 50th) flagged.
inline std::vector<transaction> store_history(const std::string& url, population& people, int u,
                                              const std::string& user, int count,
                                              std::int64_t first_offset = 0) {
  std::vector<transaction> txns;
  std::vector<scored_transaction> rows;
  for (int i = 0; i < count; ++i) {
    auto t = i % 50 == 49 ? people.takeover(u) : people.normal(u);
    t.user_id = user;
    t.transaction_id = user + "-" + t.transaction_id;
    t.partition = 0;
    t.offset = first_offset + i;
    scored_transaction s;
    s.txn = t;
    s.anomalous = t.anomalous == 1;
    s.score = s.anomalous ? 0.8 : 0.35 + 0.001 * (i % 40);
    s.threshold = 0.6;
    s.risk = s.anomalous ? "high" : "none";
    s.model_used = "user";
    rows.push_back(std::move(s));
    txns.push_back(std::move(t));
  }
  pg_writer w({url, "history", "g", "t", true, 0});
  write_batch b;
  for (const auto& r : rows)
    b.rows.push_back(&r);
  w.write(b);
  return txns;
}

} // namespace rtad::test
