#include "actors/log.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace rtad::log {

namespace {

level threshold() {
  static const level t = [] {
    const char* v = std::getenv("RTAD_LOG_LEVEL");
    std::string s = v ? v : "info";
    if (s == "debug")
      return level::debug;
    if (s == "warn")
      return level::warn;
    if (s == "error")
      return level::error;
    return level::info;
  }();
  return t;
}

const char* name(level l) {
  switch (l) {
    case level::debug: return "debug";
    case level::info: return "info";
    case level::warn: return "warn";
    case level::error: return "error";
  }
  return "?";
}

} // namespace

std::string quote(const std::string& text) {
  constexpr std::size_t max_bytes = 300;
  std::string out = "\"";
  for (char c : text.substr(0, max_bytes)) {
    if (c == '\n' || c == '\r' || c == '\t')
      out += ' ';
    else if (c == '"')
      out += "\\\"";
    else
      out += c;
  }
  if (text.size() > max_bytes)
    out += "...";
  while (out.size() > 1 && out.back() == ' ')
    out.pop_back();
  return out + '"';
}

bool enabled(level l) { return l >= threshold(); }

void write(level l, const std::string& component, const std::string& message) {
  if (!enabled(l))
    return;
  using namespace std::chrono;
  auto now = system_clock::now();
  auto t = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  static std::mutex mutex;
  std::lock_guard<std::mutex> guard(mutex);
  std::fprintf(stderr, "%s.%03lldZ %-5s %s %s\n", stamp, static_cast<long long>(ms), name(l),
               component.c_str(), message.c_str());
}

} // namespace rtad::log
