#pragma once
// A progress line for long commands on stderr: a bar on a terminal, a plain
// line now and then otherwise (logs must not fill with carriage returns).

#include <chrono>
#include <cstddef>
#include <string>

namespace rtad::app {

/// Draws "[#####.....]  1,234/10,000 users  412/s  ETA 0:00:21".
class progress_bar {
public:
  progress_bar(std::size_t total, std::string unit);

  /// Shows `done` now on a terminal; otherwise at most every few seconds.
  void update(std::size_t done);
  /// Shows `done` a last time and ends the line.
  void finish(std::size_t done);

  /// The text of the line for `done` after `elapsed_s` (for tests and logs).
  static std::string line(std::size_t done, std::size_t total, const std::string& unit,
                          double elapsed_s);

private:
  void draw(std::size_t done, bool final);

  std::size_t total_;
  std::string unit_;
  bool tty_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_plain_{};
};

/// 0:00:21 / 1:02:03.
std::string clock_text(double seconds);

} // namespace rtad::app
