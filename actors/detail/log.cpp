#include "actors/detail/log.hpp"

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace rtad::log {

namespace {

level from_environment() {
  const char* v = std::getenv("RTAD_LOG_LEVEL");
  std::string s = v ? v : "info";
  if (s == "debug")
    return level::debug;
  if (s == "warn")
    return level::warn;
  if (s == "error")
    return level::error;
  return level::info;
}

std::atomic<level>& threshold() {
  static std::atomic<level> t{from_environment()};
  return t;
}

std::atomic<format> current_format{format::text};

void json_string(std::string& out, const std::string& text) {
  out += '"';
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

/// Where the `key=value` tail of a message begins (fields() writes it),
/// from `from` on: the first " key=" with a key of letters, digits and
/// underscores.
std::size_t tail_start(const std::string& m, std::size_t from = 0) {
  for (std::size_t i = m.find(' ', from); i != std::string::npos; i = m.find(' ', i + 1)) {
    std::size_t j = i + 1;
    while (j < m.size() && (std::isalnum(static_cast<unsigned char>(m[j])) || m[j] == '_'))
      ++j;
    if (j > i + 1 && j < m.size() && m[j] == '=')
      return i;
  }
  return std::string::npos;
}

const char* name(level l) {
  switch (l) {
  case level::debug:
    return "debug";
  case level::info:
    return "info";
  case level::warn:
    return "warn";
  case level::error:
    return "error";
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

void configure(level l, format f) {
  threshold() = l;
  current_format = f;
}

bool enabled(level l) {
  return l >= threshold().load(std::memory_order_relaxed);
}

std::string json_line(const std::string& time, level l, const std::string& component,
                      const std::string& message) {
  std::string out = "{\"time\":";
  json_string(out, time);
  out += ",\"level\":\"";
  out += name(l);
  out += "\",\"component\":";
  json_string(out, component);
  auto tail = tail_start(message);
  out += ",\"message\":";
  json_string(out, message.substr(0, tail));
  // Each field as a member; a quoted value (log::quote) loses its quotes.
  for (std::size_t i = tail; i != std::string::npos && i < message.size();) {
    auto eq = message.find('=', i + 1);
    auto key = message.substr(i + 1, eq - i - 1);
    std::string value;
    std::size_t next;
    if (eq + 1 < message.size() && message[eq + 1] == '"') {
      std::size_t k = eq + 2;
      for (; k < message.size() && message[k] != '"'; ++k) {
        if (message[k] == '\\' && k + 1 < message.size())
          ++k;
        value += message[k];
      }
      next = k + 1 < message.size() ? k + 1 : std::string::npos;
    } else {
      auto sp = message.find(' ', eq + 1);
      value = message.substr(eq + 1, sp == std::string::npos ? sp : sp - eq - 1);
      next = sp;
    }
    out += ',';
    json_string(out, key);
    out += ':';
    json_string(out, value);
    if (next == std::string::npos)
      break;
    i = tail_start(message, next);
  }
  return out + '}';
}

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
  char time[40];
  std::snprintf(time, sizeof time, "%s.%03lldZ", stamp, static_cast<long long>(ms));
  static std::mutex mutex;
  if (current_format.load(std::memory_order_relaxed) == format::json) {
    auto line = json_line(time, l, component, message);
    std::lock_guard<std::mutex> guard(mutex);
    std::fprintf(stderr, "%s\n", line.c_str());
    return;
  }
  std::lock_guard<std::mutex> guard(mutex);
  std::fprintf(stderr, "%s %-5s %s %s\n", time, name(l), component.c_str(), message.c_str());
}

} // namespace rtad::log
