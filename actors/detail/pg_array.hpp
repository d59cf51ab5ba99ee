#pragma once

#include <string>
#include <vector>

namespace rtad {

/// A PostgreSQL array literal of text values, for `= any($1::text[])`.
inline std::string pg_text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const auto& v : values) {
    if (out.size() > 1)
      out += ',';
    out += '"';
    for (char c : v) {
      if (c == '"' || c == '\\')
        out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

/// A PostgreSQL array literal of numbers.
template <class T>
std::string pg_number_array(const std::vector<T>& values) {
  std::string out = "{";
  for (const auto& v : values)
    out += (out.size() > 1 ? "," : "") + std::to_string(v);
  return out + "}";
}

} // namespace rtad
