#pragma once
// The synthetic world the users live in: countries, merchant categories and
// merchants, devices, payment methods. Fixed tables, so a seed alone
// decides a stream.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rtad::gen {

/// A country transactions can happen in.
struct country {
  const char* code;     ///< ISO 3166 alpha-2, the wire format's `location`
  const char* currency; ///< ISO 4217: cards issued here bill in it
  double lat_deg;       ///< rough centre, for travel distances
  double lon_deg;
  int utc_offset_h;     ///< for local active hours
  double units_per_usd; ///< amounts are drawn in USD, billed in the home currency
  int ip_first_octet;   ///< addresses "located" in this country start with it
  double home_weight;   ///< share of users living here (relative)
};

/// Every country, in a fixed order; indices are stable.
const std::vector<country>& countries();

/// Great-circle distance between two countries' centres, in km.
double distance_km(const country& a, const country& b);

/// Distance at or above which two transactions minutes apart are impossible.
inline constexpr double far_apart_km = 5000;

/// Index of a country by code; throws std::out_of_range for an unknown one.
std::size_t country_index(const std::string& code);

/// A merchant category.
struct category {
  const char* name; ///< the wire format's `merchant.category`
  const char* noun; ///< ends merchant names: "Blue Oak Market"
  bool online;      ///< card-not-present: `online_purchase`
  bool risky;       ///< where stolen cards are cashed out
};

/// Every category; indices are stable.
const std::vector<category>& categories();

/// Index of a category by name; throws std::out_of_range for an unknown one.
std::size_t category_index(const std::string& name);

/// Merchants per category; ids and names derive from (category, number).
inline constexpr int merchants_per_category = 40;

/// The wire format's merchant id, e.g. "M03017".
std::string merchant_id(std::size_t category, int number);

/// A readable merchant name, e.g. "Blue Oak Market".
std::string merchant_name(std::size_t category, int number);

/// Device types (`device_info.type`).
enum class device : std::uint8_t { mobile, desktop, tablet, smartwatch, pos_terminal };
/// Number of device types.
inline constexpr std::size_t device_count = 5;
/// The wire text, e.g. "mobile".
const char* to_string(device d);

/// Payment methods (`payment_method`).
enum class payment : std::uint8_t {
  credit_card,
  debit_card,
  mobile_wallet,
  bank_transfer,
  corporate_card,
  prepaid_card
};
/// Number of payment methods.
inline constexpr std::size_t payment_count = 6;
/// The wire text, e.g. "credit_card".
const char* to_string(payment p);

} // namespace rtad::gen
