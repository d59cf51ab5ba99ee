#pragma once
// The generated stream: every user's own arrivals, merged in time order,
// with fraud and benign surprises injected at set fractions.

#include "generator/draft.hpp"
#include "generator/event_kind.hpp"
#include "generator/population.hpp"
#include "messages/transaction.hpp"

#include <array>
#include <cstdint>
#include <queue>
#include <vector>

namespace rtad::gen {

/// What to generate. The same parameters always give the same stream, byte
/// for byte.
struct stream_params {
  std::uint64_t seed = 1;
  std::size_t users = 1000;
  std::int64_t start_epoch_s = 1700000000; ///< timestamp of simulated time zero
  double time_scale = 1; ///< simulated seconds per timestamp second (> 1 compresses)
  kind_fractions fractions = default_fractions(); ///< share of all messages per kind
  /// Genuine transactions a user must have made before anything is injected
  /// into their history: fraud against an account without a past tests
  /// nothing per-user models can know.
  std::uint32_t victim_min_history = 20;
};

/// Throws std::invalid_argument naming the parameter that is out of range.
void validate(const stream_params& p);

/// An endless, time-ordered stream of labelled transactions.
class transaction_stream {
public:
  /// Builds the population and schedules every user's first transaction.
  explicit transaction_stream(const stream_params& p);

  /// The next transaction (timestamps never decrease). The reference stays
  /// valid until the next call.
  const transaction& next();

  /// The kind of the transaction `next` returned last.
  event_kind last_kind() const { return last_kind_; }

  /// Transactions returned so far.
  std::uint64_t emitted() const { return emitted_; }

  /// Transactions returned so far, per kind.
  const std::array<std::uint64_t, event_kind_count>& emitted_by_kind() const { return by_kind_; }

  /// Simulated milliseconds since time zero, of the last transaction.
  std::int64_t simulated_ms() const { return now_ms_; }

  /// The users, as they are now (a new device is kept once bought).
  const std::vector<user_profile>& users() const { return users_; }

  /// What the stream was made with.
  const stream_params& params() const { return params_; }

private:
  struct scheduled {
    std::int64_t at_ms;
    std::uint64_t seq; ///< ties in time go in scheduling order: deterministic
    std::uint32_t user;
    bool fraud; ///< a step of the user's fraud episode, not their own arrival
    bool operator>(const scheduled& o) const {
      return at_ms != o.at_ms ? at_ms > o.at_ms : seq > o.seq;
    }
  };

  draft genuine_event(std::uint32_t user);
  draft fraud_event(std::uint32_t user);
  bool owed(event_kind k) const;
  void started(event_kind k) { last_start_[static_cast<std::size_t>(k)] = emitted_; }
  bool eligible(const user_state& s) const;
  void maybe_start_surprise(user_profile& u, user_state& s, bool& large_purchase, bool& trip);
  void maybe_start_fraud(std::uint32_t user);
  void schedule(std::int64_t at_ms, std::uint32_t user, bool fraud);
  void fill(const draft& d, const user_profile& u);

  stream_params params_;
  std::vector<user_profile> users_;
  std::vector<user_state> states_;
  std::priority_queue<scheduled, std::vector<scheduled>, std::greater<>> queue_;
  rng random_; ///< injection decisions
  std::uint64_t seq_ = 0;
  std::uint64_t emitted_ = 0;
  std::int64_t now_ms_ = 0;
  std::array<std::uint64_t, event_kind_count> by_kind_{};
  std::array<std::uint64_t, event_kind_count> committed_{}; ///< promised, not yet emitted
  std::array<std::uint64_t, event_kind_count>
    last_start_{}; ///< emitted() when the last episode began
  event_kind last_kind_ = event_kind::genuine;
  std::vector<std::string> merchant_ids_; ///< [category * merchants_per_category + n]
  std::vector<std::string> merchant_names_;
  transaction tx_;
};

/// Simulated seconds that `count` transactions of this population are
/// expected to span.
double expected_span_s(const std::vector<user_profile>& users, std::uint64_t count);

/// A transaction id: a version-4-shaped UUID derived from (seed, sequence).
void format_transaction_id(std::uint64_t seed, std::uint64_t sequence, std::string& out);

/// Dotted IPv4 text of a host-order address.
void format_ipv4(std::uint32_t ip, std::string& out);

} // namespace rtad::gen
