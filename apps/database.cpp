#include "apps/database.hpp"

#include "actors/detail/log.hpp"
#include "apps/command.hpp"
#include "db/migrate.hpp"

#include <chrono>
#include <pqxx/pqxx>
#include <thread>

namespace rtad::app {

namespace {
constexpr std::chrono::seconds database_wait{60};
} // namespace

void prepare_database(const std::string& url) {
  auto deadline = std::chrono::steady_clock::now() + database_wait;
  for (;;) {
    try {
      pqxx::connection c(url);
      for (const auto& m : db::migrate(c))
        log::info("db", "applied migration " + m);
      return;
    } catch (const pqxx::broken_connection& e) {
      if (std::chrono::steady_clock::now() > deadline)
        throw user_error("cannot reach PostgreSQL at " + url + " (" + e.what() +
                         "); start it (scripts/services start) or set RTAD_PG_URL");
      log::warn("db", "PostgreSQL not reachable yet, retrying");
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
}

} // namespace rtad::app
