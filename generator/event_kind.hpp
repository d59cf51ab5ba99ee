#pragma once
// What each generated transaction is, as its ground truth names it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace rtad::gen {

/// Why a transaction exists: the user's own habit, an injected fraud, or a
/// benign surprise (the user's own, but unusual: must not be flagged).
enum class event_kind : std::uint8_t {
  genuine,                 ///< everyday behaviour; no `fraud_type`
  account_takeover,        ///< new device type + new country + high amount for this user
  card_testing,            ///< a burst of small amounts at online merchants, seconds apart
  merchant_category_shift, ///< categories this user never uses, usual amounts
  amount_spike,            ///< usual everything, amount normal for others but not this user
  impossible_travel,       ///< minutes after the user's own transaction, a country >= 5000 km away
  benign_trip,             ///< a planned trip: a new country, usual amounts, flight time respected
  benign_large_purchase,   ///< the once-a-year purchase: the user's own distribution's yearly tail
  benign_new_device,       ///< a new device, bought once and kept
};

/// Number of kinds, genuine included.
inline constexpr std::size_t event_kind_count = 9;

/// Every kind except genuine, in declaration order.
inline constexpr std::array<event_kind, event_kind_count - 1> injected_kinds = {
  event_kind::account_takeover,        event_kind::card_testing,
  event_kind::merchant_category_shift, event_kind::amount_spike,
  event_kind::impossible_travel,       event_kind::benign_trip,
  event_kind::benign_large_purchase,   event_kind::benign_new_device};

/// True for the kinds labelled `_anomalous: true`.
constexpr bool is_fraud(event_kind k) {
  return k != event_kind::genuine && k < event_kind::benign_trip;
}

/// The `fraud_type` text; empty for genuine.
const char* to_string(event_kind k);

/// The kind named by `fraud_type` text, if any.
std::optional<event_kind> parse_event_kind(const std::string& name);

/// Mean number of transactions one episode of this kind produces; injection
/// uses it to reach its set fraction of messages.
double mean_episode_length(event_kind k);

/// Share of all messages per kind (index = kind); genuine takes the rest.
using kind_fractions = std::array<double, event_kind_count>;

/// 0.5 % fraud (0.1 % per type) and 0.2 % of each benign surprise.
kind_fractions default_fractions();

} // namespace rtad::gen
