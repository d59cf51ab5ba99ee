#include "generator/pacer.hpp"

#include <thread>

namespace rtad::gen {

namespace {
// Sleeping for less than this costs more than it saves: messages go in
// small bursts instead, and the average rate is still exact.
constexpr auto min_sleep = std::chrono::milliseconds(1);
} // namespace

pacer::pacer(double per_second, clock::time_point start) : per_second_(per_second), start_(start) {}

pacer::clock::time_point pacer::due(std::uint64_t n) const {
  if (per_second_ <= 0)
    return start_;
  const std::chrono::duration<double> offset(static_cast<double>(n) / per_second_);
  return start_ + std::chrono::duration_cast<clock::duration>(offset);
}

void pacer::wait(std::uint64_t n) const {
  if (per_second_ <= 0)
    return;
  const auto at = due(n);
  if (at - clock::now() >= min_sleep)
    std::this_thread::sleep_until(at);
}

} // namespace rtad::gen
