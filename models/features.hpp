#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rtad::models {

class population_reference;

/// What the models see of a transaction: no ids, no ground truth.
struct txn_input {
  double amount = 0;
  std::int64_t timestamp = 0; ///< epoch seconds
  std::string_view country;
  std::string_view category;
  std::string_view payment_method;
  std::string_view device_type;
  std::string_view transaction_type;
};

/// The categorical fields whose novelty the models measure.
enum class field : std::uint8_t {
  country,
  category,
  payment_method,
  device_type,
  transaction_type
};
inline constexpr std::size_t field_count = 5;
std::string_view field_name(field f);
std::string_view field_value(const txn_input& t, field f);

/// Features relative to the user's own history (enhanced mode; the user's
/// forest and the global forest both use them).
enum user_feature : std::uint8_t {
  f_log_amount,      ///< log(1 + amount)
  f_amount_vs_usual, ///< robust z of log amount (median/MAD, shrunk to a prior for short
                     ///< histories) beyond +-2 sigma, scaled to [-1, 1]; 0 for everyday amounts
  f_hour_sin,        ///< hour of day on the circle (explanations only, not in the forests)
  f_hour_cos,
  f_spend_ratio,     ///< log(1 + the user's spend in the last 6 hours, this one included, over
                     ///< their usual spend in 6 hours); in the slot weekday had, which only
                     ///< explanations used, so stored training rows stay readable
  f_log_gap,         ///< log(1 + seconds since the previous transaction)
  f_tx_last_hour,    ///< transactions of the user in the hour before
  f_novelty_country, ///< 0 = the user's usual value .. 1 = never seen in the window (x n/(n+5))
  f_novelty_category,
  f_novelty_payment,
  f_novelty_device,
  f_novelty_type,
  f_travel,      ///< log(1 + km/h) implied by a change of country since the previous transaction
  f_log_history, ///< log(1 + transactions in the window): new users look new
  // Evidence for the population tail ranks (population.hpp), left out of the forests:
  f_amount_z,        ///< the robust z of f_amount_vs_usual, unscaled (clamped to +-50)
  f_category_rarity, ///< novelty of the category for the user x its rarity in the population
  user_feature_count
};
using user_features = std::array<float, user_feature_count>;
std::string_view user_feature_name(std::size_t f);
/// Plausible range of every user feature (see isolation_forest::set_domains).
std::vector<std::pair<float, float>> user_feature_domains();

/// Features of the transaction alone (standard mode: no per-user history).
enum standard_feature : std::uint8_t {
  s_log_amount,
  s_hour_sin,
  s_hour_cos,
  s_weekday,
  s_country_code, ///< label encoding: a stable hash of the value in [0, 1)
  s_category_code,
  s_payment_code,
  s_device_code,
  s_type_code,
  standard_feature_count
};
using standard_features = std::array<float, standard_feature_count>;
std::string_view standard_feature_name(std::size_t f);
/// Plausible range of every standard feature.
std::vector<std::pair<float, float>> standard_feature_domains();
standard_features compute_standard_features(const txn_input& t);

std::uint16_t half_bits(float x);
float from_half_bits(std::uint16_t h);
/// Rounds to the nearest half-precision value: training rows are stored so,
/// which halves their checkpoint size and keeps the round trip exact. Inline
/// because a forest with half-precision splits rounds one at every node.
inline float to_half_precision(float x) {
  std::uint32_t f;
  std::memcpy(&f, &x, 4);
  auto exp = (f >> 23) & 0xffu;
  // Fast path for values whose rounding stays a normal half (2^-14 up to
  // just below 2^15, where a carry could overflow): round the mantissa to 10
  // bits, to nearest, ties to even, in place.
  if (exp >= 127 - 14 && exp < 127 + 15) {
    f += 0x0fffu + ((f >> 13) & 1u);
    f &= ~0x1fffu;
    std::memcpy(&x, &f, 4);
    return x;
  }
  return from_half_bits(half_bits(x));
}

/// The recent history of one user: a window of normal transactions (amount
/// statistics, how often each categorical value occurs) and a short ring of
/// every recent transaction (velocity, gap, travel).
class user_history {
public:
  /// One normal transaction in the window.
  struct entry {
    std::int64_t timestamp;
    float amount;
    std::array<std::uint8_t, field_count> value; ///< index into the field's dictionary
  };
  /// One recent transaction, normal or not.
  struct recent {
    std::int64_t timestamp;
    std::array<char, 4> country;
  };
  /// Distinct values of one field with their counts in the window.
  struct dictionary {
    std::vector<std::string> values;
    std::vector<std::uint16_t> counts;
  };

  static constexpr std::size_t recent_capacity = 32;
  /// Dictionary slot for values beyond 255 distinct ones per field.
  static constexpr std::uint8_t overflow_value = 255;

  explicit user_history(std::size_t window = 256) : capacity_(window) {}

  /// Features of `t` against the history as it is now; `population` (may be
  /// null) tells how rare its category is among all users.
  user_features features(const txn_input& t,
                         const population_reference* population = nullptr) const;

  /// Records `t` as recent (every transaction, also the flagged ones).
  void observe(const txn_input& t);

  /// Adds `t` to the window of normal transactions, evicting the oldest.
  void admit(const txn_input& t);

  std::size_t size() const { return window_.size(); }
  std::size_t capacity() const { return capacity_; }
  /// How many window transactions have `value` in field `f`.
  std::size_t count_of(field f, std::string_view value) const;
  /// Amount percentiles of the window (p in [0, 1]); 0 when empty.
  double amount_percentile(double p) const;
  /// Values of field `f` by descending count, at most `n`.
  std::vector<std::pair<std::string, std::size_t>> top_values(field f, std::size_t n) const;
  /// Spend in the 6 hours up to `t` (`t` included) and the user's usual
  /// spend in 6 hours, from the window.
  struct spend_rate {
    double recent = 0;
    double usual = 0;
  };
  spend_rate spend(const txn_input& t) const;
  /// Hour-of-day counts (UTC) of the window.
  std::array<std::uint16_t, 24> hour_histogram() const;
  const std::deque<entry>& window() const { return window_; }
  const std::deque<recent>& recent_transactions() const { return recent_; }
  /// Where a transaction at `timestamp` in `country` travelled from: where
  /// the user last plausibly was, the newest recent transaction that could
  /// be reached from the position before it. A transaction that jumped
  /// impossibly far (what stolen credentials abroad look like) does not move
  /// the user, so their next one at home is no jump back. Nor does a run
  /// abroad that a plane could have reached once as many transactions since
  /// contradict it from the country the user was in before it (this one
  /// included): the user never left, someone else used the card there.
  /// Null when there is no recent transaction.
  const recent* position_before(std::int64_t timestamp, std::string_view country) const;
  const std::array<dictionary, field_count>& dictionaries() const { return dict_; }

  /// Rebuilds from serialised parts (see serialize.hpp).
  void restore(std::size_t capacity, std::deque<entry> window, std::deque<recent> recent,
               std::array<dictionary, field_count> dict);

  friend bool operator==(const user_history& a, const user_history& b);

private:
  std::uint8_t intern(field f, std::string_view value);
  void release(field f, std::uint8_t id);
  void refresh_amount_stats() const;

  std::size_t capacity_;
  std::deque<entry> window_;
  std::deque<recent> recent_;
  std::array<dictionary, field_count> dict_;
  /// log(1 + amount) of every window entry, ascending: the median is one
  /// look-up and the MAD a walk outwards from it, with no sort per change.
  std::vector<double> sorted_logs_;
  double window_spend_ = 0; ///< sum of the window's amounts
  // Median and MAD of log amounts, recomputed lazily after the window changes.
  mutable bool stats_dirty_ = true;
  mutable double log_median_ = 0;
  mutable double log_mad_ = 0;
};

/// Faster than any airliner, door to door: a journey slower than this could
/// have been made.
constexpr double max_plausible_kmh = 1000;

/// Speed in km/h implied by going from `from` to `country` at `timestamp`
/// (centroid to centroid, at least a minute); none when the country is the
/// same or either is unknown.
std::optional<double> travel_kmh(const user_history::recent* from, std::int64_t timestamp,
                                 std::string_view country);

} // namespace rtad::models
