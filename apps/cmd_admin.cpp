// `rtad admin`: the operator's client of the admin actor over CAF's remote
// interface.
#include "actors/system_config.hpp"
#include "apps/command.hpp"
#include "messages/actors.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <thread>

namespace rtad::app {

namespace {

using nlohmann::json;

struct admin_options {
  std::string node = "127.0.0.1:4242";
  std::string secret;
  bool as_json = false;
  double timeout_s = 10;
  std::string action;
  std::vector<std::string> args;
};

std::pair<std::string, std::uint16_t> split_endpoint(const std::string& hp) {
  auto colon = hp.rfind(':');
  if (colon == std::string::npos)
    throw user_error("--node '" + hp + "': expected HOST:PORT");
  int port = 0;
  try {
    port = std::stoi(hp.substr(colon + 1));
  } catch (const std::exception&) {
  }
  if (port <= 0 || port > 65535)
    throw user_error("--node '" + hp + "': bad port");
  return {hp.substr(0, colon), static_cast<std::uint16_t>(port)};
}

/// Connects with retries (the node may be starting) and checks the protocol version.
admin_actor connect(caf::actor_system& sys, const std::string& endpoint, double timeout_s) {
  auto [host, port] = split_endpoint(endpoint);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  std::string last_error;
  for (;;) {
    auto h = sys.middleman().remote_actor<admin_actor>(host, port);
    if (h) {
      caf::scoped_actor self{sys};
      std::string version;
      self->request(*h, std::chrono::seconds(5), version_atom::value)
        .receive([&](const std::string& v) { version = v; },
                 [&](caf::error& e) { last_error = sys.render(e); });
      if (version == admin_protocol_version)
        return *h;
      if (!version.empty())
        throw user_error("node at " + endpoint + " speaks " + version + ", this client " +
                         admin_protocol_version + ": use the rtad of the same release");
    } else {
      last_error = sys.render(h.error());
      if (last_error.find("incompatible_application_ids") != std::string::npos)
        throw user_error(endpoint + " is not an rtad admin endpoint (application id mismatch)");
    }
    if (std::chrono::steady_clock::now() > deadline)
      throw user_error("no rtad node answers at " + endpoint + " within " +
                       std::to_string(static_cast<int>(timeout_s)) + " s (" + last_error +
                       "); is it running with node.admin_port set?");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

/// Sends one request and waits for its answer; errors become user_error.
template <class T, class... Ts>
T ask(caf::actor_system& sys, const admin_actor& h, double timeout_s, Ts&&... xs) {
  caf::scoped_actor self{sys};
  T out{};
  std::string error;
  self->request(h, std::chrono::milliseconds(static_cast<long>(timeout_s * 1000)),
                std::forward<Ts>(xs)...)
    .receive([&](T& x) { out = std::move(x); }, [&](caf::error& e) { error = sys.render(e); });
  if (!error.empty())
    throw user_error(error);
  return out;
}

json to_json(const node_info& i) {
  return {{"node", i.node},
          {"mode", i.mode},
          {"partitions", i.partitions},
          {"active_profiles", i.active_profiles},
          {"profile_memory_bytes", i.profile_memory_bytes},
          {"consumed", i.consumed},
          {"scored", i.scored},
          {"flagged", i.flagged},
          {"quarantined", i.quarantined},
          {"consumer_lag", i.consumer_lag},
          {"in_flight", i.in_flight},
          {"rebalances", i.rebalances},
          {"last_rebalance_ms", i.last_rebalance_ms},
          {"last_rebalance_users", i.last_rebalance_users},
          {"global_model_version", i.global_model_version},
          {"database_up", i.database_up},
          {"ready", i.ready}};
}

json to_json(const profile_info& p) {
  return {{"user_id", p.user_id},
          {"node", p.node},
          {"active", p.active},
          {"history_size", p.history_size},
          {"training_rows", p.training_rows},
          {"model_version", p.model_version},
          {"trees", p.trees},
          {"threshold", p.threshold},
          {"threshold_fixed", p.threshold_fixed},
          {"frozen", p.frozen},
          {"user_weight", p.user_weight},
          {"last_retrain", p.last_retrain},
          {"last_seen", p.last_seen},
          {"recent_scores", p.recent_scores},
          {"recent_explanations", p.recent_explanations},
          {"summary", json::parse(p.summary_json.empty() ? "{}" : p.summary_json, nullptr, false)}};
}

void print_table(const json& j) {
  for (const auto& [k, v] : j.items())
    std::cout << std::left << std::setw(22) << k << (v.is_string() ? v.get<std::string>() : v.dump())
              << "\n";
}

/// Every node from node_status (PostgreSQL), for `cluster` and for finding a user's node.
json cluster_view(const std::string& pg_url) {
  pqxx::connection c(pg_url);
  pqxx::read_transaction r(c);
  json nodes = json::array();
  for (const auto& row : r.exec(
         "select node, state, coalesce(admin_endpoint, ''), array_to_string(partitions, ','),"
         " active_profiles, memory_bytes, transactions_per_s, consumer_lag, rebalances,"
         " coalesce(to_char(last_rebalance_at, 'YYYY-MM-DD HH24:MI:SS'), ''),"
         " coalesce(last_rebalance_ms, 0), extract(epoch from now() - heartbeat_at)::int"
         " from node_status order by node"))
    nodes.push_back({{"node", row[0].as<std::string>()},
                     {"state", row[1].as<std::string>()},
                     {"admin", row[2].as<std::string>()},
                     {"partitions", row[3].as<std::string>()},
                     {"active_profiles", row[4].as<long long>()},
                     {"memory_bytes", row[5].as<long long>()},
                     {"transactions_per_s", row[6].as<double>()},
                     {"lag", row[7].as<long long>()},
                     {"rebalances", row[8].as<long long>()},
                     {"last_rebalance", row[9].as<std::string>()},
                     {"last_rebalance_ms", row[10].as<long long>()},
                     {"heartbeat_age_s", row[11].as<long long>()}});
  return nodes;
}

/// The admin endpoint of the node that last owned `user`, if it is alive.
std::optional<std::string> owner_endpoint(const std::string& pg_url, const std::string& user) {
  try {
    pqxx::connection c(pg_url);
    pqxx::read_transaction r(c);
    auto row = r.exec_params("select s.admin_endpoint from user_profiles p join node_status s"
                             " on s.node = p.node where p.user_id = $1 and s.state <> 'stopped'"
                             " and s.admin_endpoint is not null"
                             " and s.heartbeat_at > now() - interval '30 seconds'",
                             user);
    if (!row.empty())
      return row[0][0].as<std::string>();
  } catch (const std::exception&) {
    // Without PostgreSQL the node given on the command line is asked.
  }
  return std::nullopt;
}

std::string need_user(const admin_options& o) {
  if (o.args.empty())
    throw user_error(o.action + " needs a user id");
  return o.args[0];
}

int run_admin(const admin_options& o, const global_options& g) {
  auto s = g.load();
  auto secret = o.secret.empty() ? s.node.admin_secret : o.secret;
  json out;
  if (o.action == "cluster") {
    out = cluster_view(s.pg.url);
    if (o.as_json) {
      std::cout << out.dump(2) << "\n";
      return 0;
    }
    std::cout << std::left << std::setw(24) << "node" << std::setw(10) << "state" << std::setw(14)
              << "partitions" << std::setw(10) << "profiles" << std::setw(10) << "tx/s"
              << std::setw(8) << "lag" << std::setw(11) << "rebalances" << "admin\n";
    for (const auto& n : out)
      std::cout << std::left << std::setw(24) << n["node"].get<std::string>() << std::setw(10)
                << n["state"].get<std::string>() << std::setw(14)
                << n["partitions"].get<std::string>() << std::setw(10)
                << n["active_profiles"].get<long long>() << std::setw(10)
                << static_cast<long long>(n["transactions_per_s"].get<double>()) << std::setw(8)
                << n["lag"].get<long long>() << std::setw(11) << n["rebalances"].get<long long>()
                << n["admin"].get<std::string>() << "\n";
    return 0;
  }
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  auto endpoint = o.node;
  if (o.action == "profile" || o.action == "retrain" || o.action == "freeze" ||
      o.action == "unfreeze" || (o.action == "threshold" && !o.args.empty() && o.args[0] != "global"))
    if (auto owner = owner_endpoint(s.pg.url, need_user(o)))
      endpoint = *owner; // found on whichever node owns the user
  auto h = connect(sys, endpoint, o.timeout_s);
  if (o.action == "status") {
    out = to_json(ask<node_info>(sys, h, o.timeout_s, status_atom::value, secret));
  } else if (o.action == "profile") {
    out = to_json(ask<profile_info>(sys, h, o.timeout_s, profile_atom::value, secret, need_user(o)));
  } else if (o.action == "retrain") {
    out = {{"retrained", ask<bool>(sys, h, o.timeout_s, retrain_atom::value, secret, need_user(o))}};
  } else if (o.action == "freeze" || o.action == "unfreeze") {
    bool frozen = o.action == "freeze";
    ask<bool>(sys, h, o.timeout_s, freeze_atom::value, secret, need_user(o), frozen);
    out = {{"user", need_user(o)}, {"frozen", frozen}};
  } else if (o.action == "threshold") {
    if (o.args.size() != 2)
      throw user_error("threshold USER|global VALUE (VALUE 'auto' makes a user's adaptive again)");
    double value = o.args[1] == "auto" ? std::nan("") : std::stod(o.args[1]);
    auto user = o.args[0] == "global" ? std::string() : o.args[0];
    ask<bool>(sys, h, o.timeout_s, threshold_atom::value, secret, user, value);
    out = {{"threshold", o.args[0]}, {"value", o.args[1]}};
  } else if (o.action == "drain" || o.action == "shutdown") {
    ask<bool>(sys, h, o.timeout_s, stop_atom::value, secret);
    out = {{"node", endpoint},
           {"stopping", true},
           {"note", "it leaves the consumer group: rows committed, profiles checkpointed, "
                    "partitions handed to the other nodes"}};
  } else {
    throw user_error("unknown admin action '" + o.action +
                     "' (status, cluster, profile, retrain, freeze, unfreeze, threshold, drain, "
                     "shutdown)");
  }
  if (o.as_json)
    std::cout << out.dump(2) << "\n";
  else
    print_table(out);
  return 0;
}

command make_admin(CLI::App& root, const global_options& g) {
  auto* cmd = root.add_subcommand("admin", "inspect and steer running nodes (CAF remote)");
  auto o = std::make_shared<admin_options>();
  cmd->add_option("--node", o->node, "HOST:PORT of a node's admin actor")->capture_default_str();
  cmd->add_option("--secret", o->secret,
                  "shared secret (default: node.admin_secret, e.g. RTAD_NODE_ADMIN_SECRET)");
  cmd->add_flag("--json", o->as_json, "print JSON");
  cmd->add_option("--timeout", o->timeout_s, "seconds to wait for a node")->capture_default_str();
  cmd->add_option("action", o->action,
                  "status | cluster | profile USER | retrain USER | freeze USER | unfreeze USER |"
                  " threshold USER|global VALUE | drain | shutdown")
    ->required();
  cmd->add_option("args", o->args, "the action's arguments");
  cmd->footer("profile/retrain/freeze go to the node that owns the user (from PostgreSQL) when\n"
              "it is alive; cluster reads node_status. drain and shutdown stop the node cleanly:\n"
              "its partitions move to the other nodes of the consumer group.");
  return {cmd, [o, &g] { return run_admin(*o, g); }};
}

} // namespace

RTAD_REGISTER_COMMAND("admin", make_admin);

} // namespace rtad::app
