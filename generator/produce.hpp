#pragma once
// The loop of `rtad produce`: from a source to a sink, paced, bounded by
// count or duration, with a progress line.

#include "generator/message.hpp"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace rtad::gen {

/// When to stop and how fast to go.
struct produce_limits {
  std::optional<std::uint64_t> count; ///< messages
  std::optional<double> duration_s;   ///< wall-clock seconds
  double rate_per_s = 0;              ///< <= 0: as fast as the sink takes them
};

/// How a run went.
struct produce_report {
  delivery_stats delivery;
  double seconds = 0;       ///< wall clock, finish included
  bool interrupted = false; ///< stopped by the stop flag (Ctrl-C)
  /// Messages per second over the whole run.
  double rate() const { return seconds > 0 ? static_cast<double>(delivery.written) / seconds : 0; }
};

/// Where the progress line goes; null to stay quiet.
struct progress_options {
  std::FILE* out = nullptr;
  double interval_s = 1.0;
  bool rewrite_line = true; ///< '\r' updates for a terminal; whole lines otherwise
};

/// Moves messages from `source` to `sink` until the source ends, a limit is
/// reached or `stop` becomes true; then finishes the sink. Exceptions of
/// source and sink (a bad JSONL line, a full disk) propagate.
produce_report produce(message_source& source, message_sink& sink, const produce_limits& limits,
                       const progress_options& progress, const std::atomic<bool>& stop);

/// "1,234,567": numbers people read at a glance.
std::string with_thousands(std::uint64_t n);

/// "1:02:03" or "2:03".
std::string clock_text(double seconds);

} // namespace rtad::gen
