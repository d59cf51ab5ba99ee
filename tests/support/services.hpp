#pragma once
// Test access to the real local services. A missing service fails the test:
// integration tests never skip.

#include "config/settings.hpp"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>

namespace rtad::test {

/// Settings pointing at the services from `scripts/services start`.
inline config::settings service_settings() {
  bool configured = std::getenv("RTAD_SERVICES_ENV") || std::getenv("RTAD_KAFKA_BOOTSTRAP") ||
                    config::find_services_env();
  BOOST_REQUIRE_MESSAGE(configured, "no .rtad/services.env and no RTAD_KAFKA_BOOTSTRAP: run "
                                    "scripts/services start (scripts/test does)");
  return config::load();
}

/// A name unique to this run, for topics, groups and tables. The clock
/// too: a process id comes back, and rand() repeats its sequence in every
/// process (a run once met a topic of an earlier one with the same id).
inline std::string unique_name(const std::string& prefix) {
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()) + "-" +
         std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000007);
}

} // namespace rtad::test
