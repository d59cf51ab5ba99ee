#pragma once
// Where `rtad produce` takes messages from and where it puts them, so that
// generating and replaying, file and Kafka combine freely.

#include <cstdint>
#include <string>
#include <string_view>

namespace rtad::gen {

/// One message: Kafka key (the user id) and value (the JSON text).
struct message {
  std::string_view key;
  std::string_view value;
};

/// Gives messages until it runs out.
class message_source {
public:
  virtual ~message_source() = default;
  /// Fills `m` (valid until the next call); false when there is none left.
  virtual bool next(message& m) = 0;
};

/// What a sink did with the messages it was given.
struct delivery_stats {
  std::uint64_t written = 0;   ///< handed to the sink
  std::uint64_t delivered = 0; ///< confirmed stored (a file: written; Kafka: acknowledged)
  std::uint64_t failed = 0;    ///< known lost
  std::string first_error;     ///< the first failure's reason, for the report
};

/// Takes messages.
class message_sink {
public:
  virtual ~message_sink() = default;
  /// Takes one message; may block for back-pressure. Throws on a fatal error.
  virtual void write(const message& m) = 0;
  /// Waits until every message is delivered or has failed.
  virtual void finish() = 0;
  /// Counts so far (exact after finish).
  virtual delivery_stats stats() const = 0;
};

} // namespace rtad::gen
