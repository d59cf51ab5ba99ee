// `rtad db init|reset`: the schema and its data.
#include "apps/command.hpp"
#include "db/migrate.hpp"

#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
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

/// One number from a query.
long long scalar(pqxx::read_transaction& r, const std::string& sql) {
  auto v = r.exec(sql)[0][0];
  return v.is_null() ? 0 : v.as<long long>();
}

double ratio(long long a, long long b) {
  return b > 0 ? static_cast<double>(a) / b : 0.0;
}

int db_stats(const config::settings& s, bool as_json) {
  pqxx::connection c(s.pg.url);
  pqxx::read_transaction r(c);
  using nlohmann::json;
  json j;
  j["transactions"] = scalar(r, "select count(*) from transactions");
  j["anomalies"] = scalar(r, "select count(*) from frauds");
  for (const char* level : {"low", "medium", "high"})
    j["anomalies_by_risk"][level] =
      scalar(r, std::string("select count(*) from frauds where risk_level = '") + level + "'");
  for (const char* model : {"user", "global"})
    j["anomalies_by_model"][model] =
      scalar(r, std::string("select count(*) from frauds where model_used = '") + model + "'");
  j["profiles_with_a_model"] =
    scalar(r, "select count(*) from user_profiles where checkpoint is not null");
  j["quarantined"] = scalar(r, "select count(*) from quarantine");
  j["labels"] = scalar(r, "select count(*) from labels");
  // Precision from analyst labels: confirmed / labelled.
  auto confirmed = scalar(r, "select count(*) from frauds where is_confirmed_fraud");
  auto labelled = scalar(r, "select count(*) from frauds where is_confirmed_fraud is not null");
  j["labels_precision"] = ratio(confirmed, labelled);
  // Precision and recall from ground truth, where the input carried it.
  auto tp = scalar(r, "select count(*) from transactions where is_anomaly and ground_truth");
  auto flagged =
    scalar(r, "select count(*) from transactions where is_anomaly and ground_truth is not null");
  auto frauds = scalar(r, "select count(*) from transactions where ground_truth");
  j["ground_truth"] = {
    {"precision", ratio(tp, flagged)}, {"recall", ratio(tp, frauds)}, {"frauds", frauds}};
  j["nodes"] = json::array();
  for (const auto& row : r.exec("select node, state, transactions_total, anomalies_total,"
                                " extract(epoch from now() - heartbeat_at)::int from node_status"
                                " order by node"))
    j["nodes"].push_back({{"node", row[0].as<std::string>()},
                          {"state", row[1].as<std::string>()},
                          {"transactions", row[2].as<long long>()},
                          {"anomalies", row[3].as<long long>()},
                          {"heartbeat_age_s", row[4].as<long long>()}});
  if (as_json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  auto line = [](const std::string& k, const json& v) {
    std::cout << std::left << std::setw(30) << k
              << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
  };
  for (const auto& [k, v] : j.items())
    if (k != "nodes")
      line(k, v);
  for (const auto& n : j["nodes"])
    line("node " + n["node"].get<std::string>(), n);
  return 0;
}

command make_db(CLI::App& root, const global_options& g) {
  auto* cmd = root.add_subcommand("db", "database maintenance");
  cmd->require_subcommand(1);
  auto* init = cmd->add_subcommand("init", "apply the schema migrations (idempotent)");
  auto* reset = cmd->add_subcommand(
    "reset",
    "delete all data rtad wrote (anomalies, transactions, profiles, checkpoints, offsets)");
  auto yes = std::make_shared<bool>(false);
  reset->add_flag("-y,--yes", *yes, "do not ask for confirmation");
  auto* stats = cmd->add_subcommand(
    "stats", "transactions, anomalies by risk and model, profiles, quarantine, labels, "
             "precision/recall, nodes");
  auto as_json = std::make_shared<bool>(false);
  stats->add_flag("--json", *as_json, "print JSON");
  return {cmd, [=, &g] {
            auto s = g.load();
            try {
              if (init->parsed())
                return db_init(s);
              if (stats->parsed())
                return db_stats(s, *as_json);
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
