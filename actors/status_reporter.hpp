#pragma once

#include "actors/detail/metrics.hpp"
#include "config/settings.hpp"
#include "messages/actors.hpp"

#include <chrono>
#include <memory>
#include <pqxx/connection>

namespace rtad {

/// Settings of the status reporter.
struct status_config {
  std::string pg_url;
  std::string node;
  std::string mode;
  std::string admin_endpoint;
  std::chrono::milliseconds interval{2000};
  /// How often freed heap goes back to the OS (0: never); see actors/detail/heap.hpp.
  std::chrono::milliseconds heap_trim_interval{30000};
  std::shared_ptr<node_metrics> metrics;
};

/// State of the status reporter.
struct status_state {
  static inline const char* name = "status_reporter";
  status_config cfg;
  std::unique_ptr<pqxx::connection> conn;
  std::uint64_t last_scored = 0;
  std::chrono::steady_clock::time_point last_tick{};
  std::chrono::steady_clock::time_point last_trim{};
  double rate = 0;
};

/// Writes this node's node_status row; see status_reporter_actor. Detached,
/// so it also does the node's slow housekeeping: the periodic heap trim.
status_reporter_actor::behavior_type
status_reporter(status_reporter_actor::stateful_pointer<status_state> self, status_config cfg);

} // namespace rtad
