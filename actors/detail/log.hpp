#pragma once

#include <sstream>
#include <string>

namespace rtad::log {

/// Severity of a log line; lines below the level set (log.level, or before
/// settings are read RTAD_LOG_LEVEL: debug, info, warn, error; default
/// info) are dropped.
enum class level { debug, info, warn, error };

/// How lines look: `text` (below) or `json`, one JSON object per line with
/// time, level, component, message and each key=value field as a member.
enum class format { text, json };

/// Sets the level and format from here on (the settings log.level and
/// log.format, once they are read).
void configure(level l, format f);

/// Whether lines of `l` are written.
bool enabled(level l);

/// Writes one structured line to stderr:
/// `2026-11-27T14:21:35.120Z info sink committed batch rows=2000 ms=12`.
void write(level l, const std::string& component, const std::string& message);

/// A line as log.format = json writes it (without the line feed).
std::string json_line(const std::string& time, level l, const std::string& component,
                      const std::string& message);

/// Builds the `key=value` tail of a line.
class fields {
public:
  template <class T>
  fields& operator()(const char* key, const T& value) {
    os_ << ' ' << key << '=' << value;
    return *this;
  }
  std::string str() const { return os_.str(); }

private:
  std::ostringstream os_;
};

/// A value for a `key=value` field: on one line, quoted, at most 300 bytes.
std::string quote(const std::string& text);

inline void info(const std::string& c, const std::string& m) {
  write(level::info, c, m);
}
inline void warn(const std::string& c, const std::string& m) {
  write(level::warn, c, m);
}
inline void error(const std::string& c, const std::string& m) {
  write(level::error, c, m);
}
inline void debug(const std::string& c, const std::string& m) {
  if (enabled(level::debug))
    write(level::debug, c, m);
}

} // namespace rtad::log
