#include "generator/jsonl.hpp"

#include "generator/json_writer.hpp"
#include "messages/codec.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <variant>

namespace rtad::gen {

namespace {

constexpr std::size_t write_buffer_bytes = 1 << 20;

std::string system_error_text(const std::string& what, const std::string& path) {
  return what + " '" + path + "': " + std::strerror(errno);
}

} // namespace

jsonl_error::jsonl_error(const std::string& p, std::size_t l, const std::string& r)
    : std::runtime_error(p + ":" + std::to_string(l) + ": " + r), path(p), line(l), reason(r) {}

jsonl_reader::jsonl_reader(const std::string& path) : path_(path) {
  if (path == "-") {
    file_ = stdin;
    return;
  }
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_)
    throw std::runtime_error(system_error_text("cannot open", path));
  owned_ = true;
}

jsonl_reader::~jsonl_reader() {
  if (owned_)
    std::fclose(file_);
  std::free(buffer_);
}

bool jsonl_reader::next(transaction& t) {
  for (;;) {
    errno = 0;
    const auto n = ::getline(&buffer_, &capacity_, file_);
    if (n < 0) {
      if (std::ferror(file_))
        throw std::runtime_error(system_error_text("cannot read", path_));
      length_ = 0;
      return false;
    }
    ++line_number_;
    length_ = static_cast<std::size_t>(n);
    while (length_ > 0 && (buffer_[length_ - 1] == '\n' || buffer_[length_ - 1] == '\r'))
      --length_;
    if (line().find_first_not_of(" \t") == std::string_view::npos)
      continue;
    auto r = decode_transaction(line());
    if (auto* e = std::get_if<decode_error>(&r))
      throw jsonl_error(path_, line_number_, e->reason);
    t = std::move(std::get<transaction>(r));
    return true;
  }
}

jsonl_writer::jsonl_writer(const std::string& path) : path_(path) {
  buffer_.reserve(write_buffer_bytes + 4096);
  if (path == "-") {
    file_ = stdout;
    return;
  }
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_)
    throw std::runtime_error(system_error_text("cannot create", path));
  owned_ = true;
}

jsonl_writer::~jsonl_writer() {
  try {
    close();
  } catch (...) {
    // close() is the place to learn about errors; a destructor must not throw.
  }
}

void jsonl_writer::write(const transaction& t) {
  append_json(buffer_, t);
  buffer_ += '\n';
  if (buffer_.size() >= write_buffer_bytes)
    flush_buffer();
}

void jsonl_writer::write_line(std::string_view text) {
  buffer_.append(text);
  buffer_ += '\n';
  if (buffer_.size() >= write_buffer_bytes)
    flush_buffer();
}

void jsonl_writer::flush_buffer() {
  if (buffer_.empty())
    return;
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
    throw std::runtime_error(system_error_text("cannot write", path_));
  bytes_ += buffer_.size();
  buffer_.clear();
}

void jsonl_writer::close() {
  if (!file_)
    return;
  std::FILE* f = file_;
  file_ = nullptr; // closed once, even when the last write fails
  bool ok = buffer_.empty() || std::fwrite(buffer_.data(), 1, buffer_.size(), f) == buffer_.size();
  bytes_ += ok ? buffer_.size() : 0;
  buffer_.clear();
  ok = std::fflush(f) == 0 && ok;
  if (owned_)
    ok = std::fclose(f) == 0 && ok;
  if (!ok)
    throw std::runtime_error(system_error_text("cannot write", path_));
}

} // namespace rtad::gen
