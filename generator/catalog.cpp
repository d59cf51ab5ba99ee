#include "generator/catalog.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace rtad::gen {

namespace {

constexpr double earth_radius_km = 6371.0;
constexpr double pi = 3.141592653589793;

// Rough centres, 2024 exchange rates; precision is irrelevant, stability is not.
const std::vector<country> country_table = {
  {"US", "USD", 39.8, -98.6, -6, 1.0, 23, 30},   {"CA", "CAD", 56.1, -106.3, -5, 1.36, 24, 4},
  {"MX", "MXN", 23.6, -102.5, -6, 17.0, 187, 3}, {"BR", "BRL", -14.2, -51.9, -3, 5.0, 177, 4},
  {"GB", "GBP", 55.4, -3.4, 0, 0.79, 51, 6},     {"IE", "EUR", 53.4, -8.2, 0, 0.92, 87, 1},
  {"FR", "EUR", 46.2, 2.2, 1, 0.92, 90, 5},      {"DE", "EUR", 51.2, 10.4, 1, 0.92, 91, 6},
  {"ES", "EUR", 40.5, -3.7, 1, 0.92, 88, 3},     {"IT", "EUR", 41.9, 12.6, 1, 0.92, 93, 3},
  {"NL", "EUR", 52.1, 5.3, 1, 0.92, 145, 2},     {"CH", "CHF", 46.8, 8.2, 1, 0.88, 178, 1},
  {"SE", "SEK", 60.1, 18.6, 1, 10.5, 78, 1},     {"PL", "PLN", 51.9, 19.1, 1, 4.0, 83, 2},
  {"AE", "AED", 23.4, 53.8, 4, 3.67, 94, 1},     {"ZA", "ZAR", -30.6, 22.9, 2, 18.5, 41, 1},
  {"IN", "INR", 20.6, 79.0, 5, 83.0, 49, 5},     {"SG", "SGD", 1.35, 103.8, 8, 1.34, 101, 1},
  {"TH", "THB", 15.9, 101.0, 7, 35.0, 171, 1},   {"JP", "JPY", 36.2, 138.3, 9, 150.0, 133, 4},
  {"AU", "AUD", -25.3, 133.8, 10, 1.52, 203, 2}, {"NZ", "NZD", -40.9, 174.9, 12, 1.65, 202, 1},
};

const std::vector<category> category_table = {
  {"groceries", "Market", false, false},
  {"restaurants", "Bistro", false, false},
  {"coffee_shops", "Coffee", false, false},
  {"transport", "Transit", false, false},
  {"fuel", "Fuel", false, false},
  {"pharmacy", "Pharmacy", false, false},
  {"clothing", "Outfitters", false, false},
  {"entertainment", "Cinema", false, false},
  {"online_shopping", "Online Store", true, false},
  {"electronics", "Electronics", false, true},
  {"travel", "Travel", true, false},
  {"hotels", "Hotel", false, false},
  {"utilities", "Utilities", true, false},
  {"subscriptions", "Streaming", true, false},
  {"office_supplies", "Office Supply", false, false},
  {"wholesale", "Wholesale", false, false},
  {"software", "Software", true, false},
  {"logistics", "Logistics", false, false},
  {"advertising", "Media", true, false},
  {"home_improvement", "Hardware", false, false},
  {"jewelry", "Jewelers", false, true},
  {"gambling", "Casino", true, true},
  {"crypto_exchange", "Crypto Exchange", true, true},
  {"gift_cards", "Gift Cards", true, true},
  {"digital_goods", "Digital", true, true},
  {"charity", "Foundation", true, true},
};

const char* const name_prefixes[merchants_per_category] = {
  "Blue Oak",  "Northside", "Corner",  "Silver",   "Harbor",     "Maple",    "Summit",  "Red Brick",
  "Riverside", "Golden",    "Urban",   "Old Town", "Green Leaf", "Sunrise",  "Atlas",   "Pioneer",
  "Evergreen", "Lakeside",  "Union",   "Central",  "Westgate",   "Bright",   "Crown",   "Meridian",
  "Orchard",   "Station",   "Parkway", "Copper",   "Beacon",     "Highland", "Cedar",   "Liberty",
  "Granite",   "Horizon",   "Nova",    "Willow",   "Eastside",   "Prime",    "Coastal", "Falcon"};

const char* const device_names[device_count] = {"mobile", "desktop", "tablet", "smartwatch",
                                                "pos_terminal"};
const char* const payment_names[payment_count] = {
  "credit_card", "debit_card", "mobile_wallet", "bank_transfer", "corporate_card", "prepaid_card"};

double radians(double deg) {
  return deg * pi / 180.0;
}

} // namespace

const std::vector<country>& countries() {
  return country_table;
}

double distance_km(const country& a, const country& b) {
  const double dlat = radians(b.lat_deg - a.lat_deg);
  const double dlon = radians(b.lon_deg - a.lon_deg);
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(radians(a.lat_deg)) * std::cos(radians(b.lat_deg)) *
                     std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * earth_radius_km * std::asin(std::sqrt(h));
}

std::size_t country_index(const std::string& code) {
  for (std::size_t i = 0; i < country_table.size(); ++i)
    if (code == country_table[i].code)
      return i;
  throw std::out_of_range("unknown country '" + code + "'");
}

const std::vector<category>& categories() {
  return category_table;
}

std::size_t category_index(const std::string& name) {
  for (std::size_t i = 0; i < category_table.size(); ++i)
    if (name == category_table[i].name)
      return i;
  throw std::out_of_range("unknown category '" + name + "'");
}

std::string merchant_id(std::size_t category, int number) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "M%02zu%03d", category, number);
  return buf;
}

std::string merchant_name(std::size_t category, int number) {
  return std::string(name_prefixes[number % merchants_per_category]) + " " +
         category_table[category].noun;
}

const char* to_string(device d) {
  return device_names[static_cast<std::size_t>(d)];
}

const char* to_string(payment p) {
  return payment_names[static_cast<std::size_t>(p)];
}

} // namespace rtad::gen
