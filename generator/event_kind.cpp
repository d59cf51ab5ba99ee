#include "generator/event_kind.hpp"

namespace rtad::gen {

namespace {

constexpr const char* kind_names[event_kind_count] = {"",
                                                      "account_takeover",
                                                      "card_testing",
                                                      "merchant_category_shift",
                                                      "amount_spike",
                                                      "impossible_travel",
                                                      "benign_trip",
                                                      "benign_large_purchase",
                                                      "benign_new_device"};

constexpr double default_fraud_fraction_per_type = 0.001;
constexpr double default_benign_fraction_per_type = 0.002;

} // namespace

const char* to_string(event_kind k) {
  return kind_names[static_cast<std::size_t>(k)];
}

std::optional<event_kind> parse_event_kind(const std::string& name) {
  for (auto k : injected_kinds)
    if (name == to_string(k))
      return k;
  return std::nullopt;
}

double mean_episode_length(event_kind k) {
  // Must match the episode lengths drawn in injection.cpp.
  switch (k) {
  case event_kind::account_takeover:
    return 2.0; // 1..3
  case event_kind::card_testing:
    return 10.0; // 5..15
  case event_kind::merchant_category_shift:
    return 2.0; // 1..3
  case event_kind::benign_trip:
    return 5.5; // 3..8
  case event_kind::benign_new_device:
    return 2.0; // 1..3
  default:
    return 1.0;
  }
}

kind_fractions default_fractions() {
  kind_fractions f{};
  for (auto k : injected_kinds)
    f[static_cast<std::size_t>(k)] =
      is_fraud(k) ? default_fraud_fraction_per_type : default_benign_fraction_per_type;
  return f;
}

} // namespace rtad::gen
