#pragma once
// JSONL files of transactions: one wire-format message per line, so the same
// stream can be fed to rtad, replayed, and read by other tools.

#include "messages/transaction.hpp"

#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rtad::gen {

/// A line that is not a valid transaction; what() reads "FILE:LINE: reason".
struct jsonl_error : std::runtime_error {
  /// `line` is 1-based.
  jsonl_error(const std::string& path, std::size_t line, const std::string& reason);
  std::string path;
  std::size_t line;
  std::string reason;
};

/// Reads transactions from a JSONL file ("-" for standard input), checking
/// every line with rtad::decode_transaction. Blank lines are skipped.
class jsonl_reader {
public:
  /// Throws std::runtime_error naming the file when it cannot be opened.
  explicit jsonl_reader(const std::string& path);
  ~jsonl_reader();
  jsonl_reader(const jsonl_reader&) = delete;
  jsonl_reader& operator=(const jsonl_reader&) = delete;

  /// Reads the next transaction into `t`; false at the end of the file.
  /// Throws jsonl_error for a line that does not decode.
  bool next(transaction& t);

  /// The text of the line read last, without its newline: replay forwards
  /// it unchanged.
  std::string_view line() const { return {buffer_, length_}; }

  /// 1-based number of the line read last.
  std::size_t line_number() const { return line_number_; }

  const std::string& path() const { return path_; }

private:
  std::string path_;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  char* buffer_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t length_ = 0;
  std::size_t line_number_ = 0;
};

/// Writes JSONL through a large buffer ("-" for standard output).
class jsonl_writer {
public:
  /// Throws std::runtime_error naming the file when it cannot be created.
  explicit jsonl_writer(const std::string& path);
  ~jsonl_writer();
  jsonl_writer(const jsonl_writer&) = delete;
  jsonl_writer& operator=(const jsonl_writer&) = delete;

  /// Writes one transaction in the wire format, then a newline.
  void write(const transaction& t);

  /// Writes `text` (one JSON message, no newline of its own), then a newline.
  void write_line(std::string_view text);

  /// Flushes and closes; throws std::runtime_error when the data did not
  /// all reach the file (disk full, closed pipe).
  void close();

  /// Bytes written so far.
  std::uint64_t bytes() const { return bytes_; }

private:
  void flush_buffer();

  std::string path_;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  std::string buffer_;
  std::uint64_t bytes_ = 0;
};

} // namespace rtad::gen
