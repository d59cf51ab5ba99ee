#include "actors/pg_connection.hpp"

namespace rtad {

namespace {

/// Seconds: a silent peer is given up after idle + interval * count, and
/// data unacknowledged for tcp_user_timeout (ms) ends the connection.
constexpr const char* keepalives[][2] = {{"keepalives", "1"},
                                         {"keepalives_idle", "10"},
                                         {"keepalives_interval", "5"},
                                         {"keepalives_count", "3"},
                                         {"tcp_user_timeout", "30000"}};

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
  if (statement_timeout.count() > 0) {
    auto ms = std::to_string(statement_timeout.count());
    out += uri ? "&options=-c%20statement_timeout%3D" + ms : " options='-c statement_timeout=" + ms + "'";
  }
  return out;
}

} // namespace rtad
