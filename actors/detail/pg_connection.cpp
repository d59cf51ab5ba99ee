#include "actors/detail/pg_connection.hpp"

namespace rtad {

namespace {

/// Seconds: a silent peer is given up after idle + interval * count, and
/// data unacknowledged for tcp_user_timeout (ms) ends the connection.
constexpr const char* keepalives[][2] = {{"keepalives", "1"},
                                         {"keepalives_idle", "10"},
                                         {"keepalives_interval", "5"},
                                         {"keepalives_count", "3"},
                                         {"tcp_user_timeout", "30000"}};

/// A node's transactions are short and never wait for anything outside
/// PostgreSQL; one left idle this long (ms) belongs to a process that was
/// stopped (SIGSTOP) or hangs, whose kernel still answers the keepalives.
/// PostgreSQL ends that session, and with it the locks it held: a new
/// owner's claim of its partitions, and every statement queued behind that
/// claim, would otherwise wait as long as the process stays stopped.
constexpr int idle_in_transaction_ms = 10000;

/// PostgreSQL's JIT compiles a statement whose estimated cost passes
/// jit_above_cost; the profile store's restore (a lateral read of each
/// user over every day partition) passes it by far, and compiling its
/// ~2,100 functions with inlining took 30 s for 256 users, against 44 ms
/// interpreted: restores ran into the statement timeout, were halved and
/// retried, and their users' partitions stood still for minutes (the
/// 167.7 s stall of the fault campaign). A node's statements are short;
/// none gains from JIT.
constexpr const char* jit = "off";

} // namespace

std::string node_connection_url(const std::string& url,
                                std::chrono::milliseconds statement_timeout) {
  bool uri = url.rfind("postgres", 0) == 0;
  auto out = url;
  char sep = uri ? (url.find('?') == std::string::npos ? '?' : '&') : ' ';
  for (const auto& [key, value] : keepalives) {
    out += sep;
    out += key;
    out += '=';
    out += value;
    sep = uri ? '&' : ' ';
  }
  std::string options =
    "-c idle_in_transaction_session_timeout=" + std::to_string(idle_in_transaction_ms) +
    " -c jit=" + jit;
  if (statement_timeout.count() > 0)
    options += " -c statement_timeout=" + std::to_string(statement_timeout.count());
  if (!uri)
    return out + " options='" + options + "'";
  out += "&options=";
  for (char c : options) // percent-encoded: a URI's query takes no spaces or '='
    out += c == ' ' ? std::string("%20") : c == '=' ? std::string("%3D") : std::string(1, c);
  return out;
}

} // namespace rtad
