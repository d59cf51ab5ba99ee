#pragma once
// The two sources of `rtad produce`: the generator and a JSONL file.

#include "generator/jsonl.hpp"
#include "generator/message.hpp"
#include "generator/stream.hpp"

#include <optional>
#include <string>

namespace rtad::gen {

/// Generated transactions as wire-format JSON, keyed by user id.
class generated_source : public message_source {
public:
  /// `until_simulated_s`: stop once the simulated clock passes it (--days).
  explicit generated_source(const stream_params& p,
                            std::optional<double> until_simulated_s = std::nullopt);
  bool next(message& m) override;
  /// The stream behind it.
  const transaction_stream& stream() const { return stream_; }
  /// Messages given out, per kind (the stream made one more when --days ended it).
  std::array<std::uint64_t, event_kind_count> sent_by_kind() const;

private:
  transaction_stream stream_;
  std::optional<double> until_ms_;
  bool ended_ = false; ///< the last transaction made lies beyond until_ms_
  std::string value_;
};

/// The lines of a JSONL file, forwarded unchanged (each checked to be a
/// valid transaction first), keyed by their user id.
class replay_source : public message_source {
public:
  /// Throws std::runtime_error when the file cannot be opened.
  explicit replay_source(const std::string& path);
  /// Throws jsonl_error naming the line that does not decode.
  bool next(message& m) override;

private:
  jsonl_reader reader_;
  transaction tx_;
};

/// Writes each message's value as one JSONL line.
class file_sink : public message_sink {
public:
  /// "-" writes to standard output.
  explicit file_sink(const std::string& path);
  void write(const message& m) override;
  void finish() override;
  delivery_stats stats() const override { return stats_; }

private:
  jsonl_writer writer_;
  delivery_stats stats_;
};

} // namespace rtad::gen
