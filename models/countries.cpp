#include "models/countries.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace rtad::models {

namespace {

struct entry {
  std::string_view code;
  geo_point centre;
};

// Rough centroids of the most active card markets. A linear scan of 60
// entries is as fast as a map and needs no start-up.
constexpr std::array<entry, 60> table{{
  {"AE", {23.4, 53.8}},   {"AR", {-38.4, -63.6}}, {"AT", {47.5, 14.6}},   {"AU", {-25.3, 133.8}},
  {"BE", {50.5, 4.5}},    {"BR", {-14.2, -51.9}}, {"CA", {56.1, -106.3}}, {"CH", {46.8, 8.2}},
  {"CL", {-35.7, -71.5}}, {"CN", {35.9, 104.2}},  {"CO", {4.6, -74.3}},   {"CZ", {49.8, 15.5}},
  {"DE", {51.2, 10.5}},   {"DK", {56.3, 9.5}},    {"EG", {26.8, 30.8}},   {"ES", {40.5, -3.7}},
  {"FI", {61.9, 25.7}},   {"FR", {46.2, 2.2}},    {"GB", {55.4, -3.4}},   {"GH", {7.9, -1.0}},
  {"GR", {39.1, 21.8}},   {"HK", {22.4, 114.1}},  {"HU", {47.2, 19.5}},   {"ID", {-0.8, 113.9}},
  {"IE", {53.4, -8.2}},   {"IL", {31.0, 34.9}},   {"IN", {20.6, 79.0}},   {"IT", {41.9, 12.6}},
  {"JP", {36.2, 138.3}},  {"KE", {-0.0, 37.9}},   {"KR", {35.9, 127.8}},  {"MA", {31.8, -7.1}},
  {"MX", {23.6, -102.6}}, {"MY", {4.2, 101.9}},   {"NG", {9.1, 8.7}},     {"NL", {52.1, 5.3}},
  {"NO", {60.5, 8.5}},    {"NZ", {-40.9, 174.9}}, {"PE", {-9.2, -75.0}},  {"PH", {12.9, 121.8}},
  {"PK", {30.4, 69.3}},   {"PL", {51.9, 19.1}},   {"PT", {39.4, -8.2}},   {"RO", {45.9, 25.0}},
  {"RU", {61.5, 105.3}},  {"SA", {23.9, 45.1}},   {"SE", {60.1, 18.6}},   {"SG", {1.4, 103.8}},
  {"TH", {15.9, 101.0}},  {"TR", {39.0, 35.2}},   {"TW", {23.7, 121.0}},  {"UA", {48.4, 31.2}},
  {"US", {37.1, -95.7}},  {"VN", {14.1, 108.3}},  {"ZA", {-30.6, 22.9}},  {"BD", {23.7, 90.4}},
  {"CR", {9.7, -83.8}},   {"HR", {45.1, 15.2}},   {"LU", {49.8, 6.1}},    {"QA", {25.4, 51.2}},
}};

constexpr double earth_radius_km = 6371.0;
constexpr double deg_to_rad = 3.14159265358979323846 / 180.0;

} // namespace

std::optional<geo_point> country_centroid(std::string_view iso2) {
  for (const auto& e : table)
    if (e.code == iso2)
      return e.centre;
  return std::nullopt;
}

double distance_km(geo_point a, geo_point b) {
  double dlat = (b.lat_deg - a.lat_deg) * deg_to_rad;
  double dlon = (b.lon_deg - a.lon_deg) * deg_to_rad;
  double h = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(a.lat_deg * deg_to_rad) *
                                                         std::cos(b.lat_deg * deg_to_rad) *
                                                         std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * earth_radius_km * std::asin(std::min(1.0, std::sqrt(h)));
}

} // namespace rtad::models
