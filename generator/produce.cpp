#include "generator/produce.hpp"

#include "generator/pacer.hpp"

#include <chrono>
#include <cmath>

namespace rtad::gen {

namespace {

using clock = std::chrono::steady_clock;

// Looking at the clock for every message would cost more than writing it.
constexpr std::uint64_t clock_check_every = 256;

double seconds_since(clock::time_point t) {
  return std::chrono::duration<double>(clock::now() - t).count();
}

/// Prints "produced N / TOTAL (P %)  R msg/s  ETA m:ss  delivered D  failed F".
class progress_line {
public:
  progress_line(const progress_options& o, const produce_limits& l) : o_(o), l_(l) {}

  void maybe_print(const delivery_stats& s, double elapsed, bool final = false) {
    if (!o_.out || (!final && elapsed - last_s_ < o_.interval_s))
      return;
    const double rate =
      elapsed - last_s_ > 0 ? static_cast<double>(s.written - last_n_) / (elapsed - last_s_) : 0;
    last_s_ = elapsed;
    last_n_ = s.written;
    std::string line = "produced " + with_thousands(s.written);
    std::optional<double> eta;
    const double overall = elapsed > 0 ? static_cast<double>(s.written) / elapsed : 0;
    if (l_.count) {
      line += " / " + with_thousands(*l_.count) + " (" +
              std::to_string(static_cast<int>(100.0 * static_cast<double>(s.written) /
                                              static_cast<double>(*l_.count))) +
              " %)";
      if (overall > 0)
        eta = static_cast<double>(*l_.count - std::min(*l_.count, s.written)) / overall;
    }
    if (l_.duration_s) {
      const double left = std::max(0.0, *l_.duration_s - elapsed);
      eta = eta ? std::min(*eta, left) : left;
    }
    line += "  " + with_thousands(static_cast<std::uint64_t>(std::llround(rate))) + " msg/s";
    if (!final)
      line += "  ETA " + (eta ? clock_text(*eta) : std::string("?"));
    line += "  delivered " + with_thousands(s.delivered) + "  failed " + with_thousands(s.failed);
    if (o_.rewrite_line)
      std::fprintf(o_.out, "\r%s\033[K%s", line.c_str(), final ? "\n" : "");
    else
      std::fprintf(o_.out, "%s\n", line.c_str());
    std::fflush(o_.out);
  }

private:
  progress_options o_;
  produce_limits l_;
  double last_s_ = 0;
  std::uint64_t last_n_ = 0;
};

} // namespace

produce_report produce(message_source& source, message_sink& sink, const produce_limits& limits,
                       const progress_options& progress, const std::atomic<bool>& stop) {
  const auto start = clock::now();
  const pacer pace(limits.rate_per_s, start);
  progress_line line(progress, limits);
  produce_report report;
  message m;
  for (std::uint64_t n = 0;; ++n) {
    if (limits.count && n >= *limits.count)
      break;
    if (n % clock_check_every == 0 || limits.rate_per_s > 0) {
      if (stop.load(std::memory_order_relaxed)) {
        report.interrupted = true;
        break;
      }
      const double elapsed = seconds_since(start);
      if (limits.duration_s && elapsed >= *limits.duration_s)
        break;
      line.maybe_print(sink.stats(), elapsed);
    }
    pace.wait(n);
    if (!source.next(m))
      break;
    sink.write(m);
  }
  sink.finish();
  report.delivery = sink.stats();
  report.seconds = seconds_since(start);
  line.maybe_print(report.delivery, report.seconds, true);
  return report;
}

std::string with_thousands(std::uint64_t n) {
  auto digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return out;
}

std::string clock_text(double seconds) {
  auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

} // namespace rtad::gen
