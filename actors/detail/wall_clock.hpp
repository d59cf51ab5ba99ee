#pragma once

#include <chrono>
#include <cstdint>

namespace rtad {

/// The wall clock in Unix seconds: what a transaction's timestamp is
/// judged against (the door's future check, a partition's traffic being
/// live) and what metrics and the registry report.
inline std::int64_t wall_clock_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// The same in milliseconds, as Kafka message timestamps are.
inline std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace rtad
