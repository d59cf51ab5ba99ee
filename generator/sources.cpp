#include "generator/sources.hpp"

#include "generator/json_writer.hpp"

namespace rtad::gen {

namespace {
constexpr double ms_per_s = 1000;
}

generated_source::generated_source(const stream_params& p, std::optional<double> until_simulated_s)
    : stream_(p) {
  if (until_simulated_s)
    until_ms_ = *until_simulated_s * ms_per_s;
}

bool generated_source::next(message& m) {
  const auto& t = stream_.next();
  if (until_ms_ && static_cast<double>(stream_.simulated_ms()) > *until_ms_) {
    ended_ = true;
    return false;
  }
  value_.clear();
  append_json(value_, t);
  m.key = t.user_id;
  m.value = value_;
  return true;
}

std::array<std::uint64_t, event_kind_count> generated_source::sent_by_kind() const {
  auto counts = stream_.emitted_by_kind();
  if (ended_)
    --counts[static_cast<std::size_t>(stream_.last_kind())];
  return counts;
}

replay_source::replay_source(const std::string& path) : reader_(path) {}

bool replay_source::next(message& m) {
  if (!reader_.next(tx_))
    return false;
  m.key = tx_.user_id;
  m.value = reader_.line();
  return true;
}

file_sink::file_sink(const std::string& path) : writer_(path) {}

void file_sink::write(const message& m) {
  writer_.write_line(m.value);
  ++stats_.written;
  ++stats_.delivered; // a write error throws: it ends the run
}

void file_sink::finish() {
  writer_.close();
}

} // namespace rtad::gen
