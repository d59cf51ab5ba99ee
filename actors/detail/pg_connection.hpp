#pragma once

#include <chrono>
#include <string>

namespace rtad {

/// `url` (a postgres:// URI or libpq key=value pairs) with what every
/// connection of a node needs, so that nothing waits on PostgreSQL forever:
/// TCP keepalives and a user timeout (a peer that vanished, or a half-open
/// connection, fails within about 30 s instead of never), and, when
/// `statement_timeout` is positive, PostgreSQL's statement_timeout (a
/// statement stuck on a lock or a wedged server ends with an error the
/// caller retries), and an idle_in_transaction_session_timeout of 10 s (a
/// stopped node's open transaction does not hold its locks for ever), and
/// JIT off (its compile time dwarfs a node's statements).
std::string node_connection_url(const std::string& url,
                                std::chrono::milliseconds statement_timeout);

} // namespace rtad
