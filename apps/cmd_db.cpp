// `rtad db init|reset`: the schema and its data.
#include "apps/command.hpp"
#include "db/migrate.hpp"

#include <iostream>
#include <pqxx/pqxx>

namespace rtad::app {

namespace {

int db_init(const config::settings& s) {
  pqxx::connection c(s.pg.url);
  auto applied = db::migrate(c);
  for (const auto& m : applied)
    std::cout << "applied " << m << "\n";
  std::cout << "schema at version " << db::schema_version(c)
            << (applied.empty() ? " (already current)" : "") << "\n";
  return 0;
}

int db_reset(const config::settings& s, bool yes) {
  pqxx::connection c(s.pg.url);
  db::migrate(c);
  std::cout << "This deletes every row rtad wrote in " << c.dbname() << " on " << c.hostname()
            << ":" << c.port() << ":\n";
  {
    pqxx::read_transaction r(c);
    for (const auto& t : db::data_tables())
      std::cout << "  " << t << ": " << r.exec("select count(*) from " + t)[0][0].as<long long>()
                << " rows" << (t == "user_profiles" ? " (model checkpoints)" : "") << "\n";
  }
  if (!yes) {
    std::cout << "Type 'yes' to delete: " << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer) || answer != "yes") {
      std::cout << "Nothing deleted.\n";
      return 1;
    }
  }
  db::reset(c);
  std::cout << "Deleted. The schema is kept.\n";
  return 0;
}

command make_db(CLI::App& root, const global_options& g) {
  auto* cmd = root.add_subcommand("db", "database maintenance");
  cmd->require_subcommand(1);
  auto* init = cmd->add_subcommand("init", "apply the schema migrations (idempotent)");
  auto* reset = cmd->add_subcommand(
    "reset", "delete all data rtad wrote (anomalies, transactions, profiles, checkpoints, offsets)");
  auto yes = std::make_shared<bool>(false);
  reset->add_flag("-y,--yes", *yes, "do not ask for confirmation");
  return {cmd, [=, &g] {
            auto s = g.load();
            try {
              if (init->parsed())
                return db_init(s);
              return db_reset(s, *yes);
            } catch (const pqxx::broken_connection& e) {
              throw user_error("cannot reach PostgreSQL at " + s.pg.url + ": " + e.what() +
                               "start it (scripts/services start) or set RTAD_PG_URL");
            }
          }};
}

} // namespace

RTAD_REGISTER_COMMAND("db", make_db);

} // namespace rtad::app
