#include "apps/progress_bar.hpp"

#include "generator/produce.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace rtad::app {

namespace {
constexpr std::size_t bar_width = 30;
constexpr std::chrono::seconds plain_interval{5}; ///< between lines when not on a terminal
} // namespace

progress_bar::progress_bar(std::size_t total, std::string unit)
    : total_(total), unit_(std::move(unit)), tty_(::isatty(STDERR_FILENO) != 0),
      started_(std::chrono::steady_clock::now()) {}

std::string clock_text(double seconds) {
  auto s = static_cast<long>(std::llround(std::max(0.0, seconds)));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

std::string progress_bar::line(std::size_t done, std::size_t total, const std::string& unit,
                               double elapsed_s) {
  double fraction = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  auto filled = static_cast<std::size_t>(fraction * bar_width);
  std::string out = "[" + std::string(filled, '#') + std::string(bar_width - filled, '.') + "] " +
                    gen::with_thousands(done) + "/" + gen::with_thousands(total) + " " + unit;
  double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0;
  out += "  " + gen::with_thousands(static_cast<std::uint64_t>(rate)) + "/s";
  if (done >= total)
    out += "  done in " + clock_text(elapsed_s);
  else if (rate > 0)
    out += "  ETA " + clock_text(static_cast<double>(total - done) / rate);
  else
    out += "  ETA -";
  return out;
}

void progress_bar::draw(std::size_t done, bool final) {
  auto now = std::chrono::steady_clock::now();
  auto text = line(done, total_, unit_, std::chrono::duration<double>(now - started_).count());
  if (tty_) {
    std::cerr << "\r\033[K" << text << (final ? "\n" : "") << std::flush;
    return;
  }
  if (!final && now - last_plain_ < plain_interval)
    return;
  last_plain_ = now;
  std::cerr << text << "\n" << std::flush;
}

void progress_bar::update(std::size_t done) {
  draw(done, false);
}

void progress_bar::finish(std::size_t done) {
  draw(done, true);
}

} // namespace rtad::app
