#pragma once

#include <optional>
#include <string_view>

namespace rtad::models {

/// Approximate centroid of a country, for the travel signal.
struct geo_point {
  double lat_deg;
  double lon_deg;
};

/// Centroid of an ISO 3166-1 alpha-2 country code (upper case); nullopt when
/// the code is not in the built-in table.
std::optional<geo_point> country_centroid(std::string_view iso2);

/// Great-circle distance in km.
double distance_km(geo_point a, geo_point b);

} // namespace rtad::models
