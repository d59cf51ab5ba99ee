// `rtad admin`: the operator's client of the admin actor over CAF's remote
// interface.
#include "actors/detail/admin_tls.hpp"
#include "actors/detail/system_config.hpp"
#include "apps/command.hpp"
#include "config/settings.hpp"
#include "messages/actors.hpp"
#include "messages/errors.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <cmath>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <thread>

namespace rtad::app {

namespace {

using nlohmann::json;

struct admin_options {
  std::string node = "127.0.0.1:4242";
  std::string secret;
  bool as_json = false;
  double timeout_s = 10;
  double wait_s = 120;
  std::string action;
  std::vector<std::string> args;
};

/// How long a node_status heartbeat stays fresh: the reporter writes every
/// 2 s, so three missed beats and a margin for a loaded machine.
constexpr int heartbeat_fresh_s = 15;
/// The longest a single connection attempt or request may take before the
/// client looks for the node again (it may have moved or be restarting).
constexpr double attempt_s = 5;
constexpr std::chrono::milliseconds retry_pause{500};

/// A node that did not answer: worth asking again, or another node.
struct node_unreachable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::pair<std::string, std::uint16_t> split_endpoint(const std::string& hp) {
  auto endpoint = config::parse_endpoint(hp);
  if (!endpoint)
    throw usage_error("--node '" + hp + "': expected HOST:PORT, the port 1 to 65535");
  return *endpoint;
}

bool is(const caf::error& e, caf::sec code) {
  return e.category() == caf::atom("system") && e.code() == static_cast<std::uint8_t>(code);
}

/// Connects to the admin actor at host:port through the OpenSSL module when
/// the system has it, else the plain middleman. Unlike remote_actor(), gives
/// up after `timeout`: a TLS connect can wait forever.
caf::expected<admin_actor> remote_admin(caf::actor_system& sys, const std::string& host,
                                        std::uint16_t port, std::chrono::milliseconds timeout) {
  auto connector = admin_connector(sys);
  caf::scoped_actor self{sys};
  caf::expected<admin_actor> out{caf::sec::request_timeout};
  self->request(connector, timeout, caf::connect_atom::value, host, port)
    .receive(
      [&](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>& ifs) {
        if (!ptr)
          out = caf::make_error(caf::sec::no_actor_published_at_port);
        else if (!sys.assignable(ifs, sys.message_types(caf::detail::type_list<admin_actor>{})))
          out = caf::make_error(caf::sec::unexpected_actor_messaging_interface);
        else
          out = caf::actor_cast<admin_actor>(std::move(ptr));
      },
      [&](caf::error& e) { out = std::move(e); });
  return out;
}

/// One attempt: connects and checks the protocol version. node_unreachable
/// when nobody answers; user_error when what answers is not a compatible rtad
/// or the TLS handshake fails (that does not get better by trying again).
admin_actor connect_once(caf::actor_system& sys, const std::string& endpoint) {
  auto [host, port] = split_endpoint(endpoint);
  auto h =
    remote_admin(sys, host, port, std::chrono::milliseconds(static_cast<long>(attempt_s * 1000)));
  if (!h) {
    auto why = sys.render(h.error());
    if (why.find("incompatible_application_ids") != std::string::npos)
      throw user_error(endpoint + " is not an rtad admin endpoint (application id mismatch)");
    if (is(h.error(), caf::sec::request_timeout))
      throw node_unreachable("no answer within " + std::to_string(static_cast<int>(attempt_s)) +
                             " s (handshake stuck: TLS on one end only? admin.tls_* must be"
                             " set on both or neither)");
    if (is(h.error(), caf::sec::disconnect_during_handshake))
      throw user_error(
        endpoint + " closed the connection during the handshake (" + why + "): " +
        (sys.has_openssl_manager()
           ? "the node refused this client's certificate, or its own is not from admin.tls_cafile,"
             " or it does not use TLS"
           : "the node may require TLS; set admin.tls_certificate, admin.tls_key and"
             " admin.tls_cafile (a certificate from the node's CA)"));
    // CAF's OpenSSL module says only this when the handshake with a plain node fails.
    if (sys.has_openssl_manager() && is(h.error(), caf::sec::cannot_connect_to_node))
      why += " (with TLS this is also what a node without TLS looks like)";
    throw node_unreachable(why);
  }
  caf::scoped_actor self{sys};
  std::string version, error;
  self
    ->request(*h, std::chrono::milliseconds(static_cast<long>(attempt_s * 1000)),
              version_atom::value)
    .receive([&](const std::string& v) { version = v; },
             [&](caf::error& e) { error = sys.render(e); });
  if (version.empty())
    throw node_unreachable(error);
  if (version != admin_protocol_version)
    throw user_error("node at " + endpoint + " speaks " + version + ", this client " +
                     admin_protocol_version + ": use the rtad of the same release");
  return *h;
}

/// Sends one request and waits for its answer. A refusal or an error of the
/// node becomes user_error; a lost connection or no answer, node_unreachable.
template <class T, class... Ts>
T ask(caf::actor_system& sys, const admin_actor& h, double timeout_s, Ts&&... xs) {
  caf::scoped_actor self{sys};
  T out{};
  std::optional<caf::error> error;
  self
    ->request(h, std::chrono::milliseconds(static_cast<long>(timeout_s * 1000)),
              std::forward<Ts>(xs)...)
    .receive([&](T& x) { out = std::move(x); }, [&](caf::error& e) { error = std::move(e); });
  if (!error)
    return out;
  auto why = sys.render(*error);
  if (is_rtad_error(*error))
    throw user_error(why); // the node answered: refused, or the request was wrong
  throw node_unreachable(why);
}

/// Runs `f(handle)` on the node `where()` names, until it answers or
/// `timeout_s` has passed. After a failed attempt the node is looked up again,
/// so a request follows a user whose partition moved to another node, and
/// waits out a node that restarts. `where` returns an empty string while it
/// knows no node.
template <class F>
auto with_node(caf::actor_system& sys, double timeout_s, const std::string& what,
               const std::function<std::string()>& where, F f) -> decltype(f(admin_actor{})) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  std::string last = "no live node known";
  for (int attempt = 0;; ++attempt) {
    auto endpoint = where();
    if (!endpoint.empty()) {
      try {
        return f(connect_once(sys, endpoint));
      } catch (const node_unreachable& e) {
        last = endpoint + ": " + e.what();
        if (attempt == 0)
          std::cerr << "rtad admin: " << last << "; trying again\n";
      }
    }
    if (std::chrono::steady_clock::now() + retry_pause > deadline)
      throw user_error("no rtad node answers " + what + " within " +
                       std::to_string(static_cast<int>(timeout_s)) + " s (last: " + last +
                       "); is it running with node.admin_port set?");
    std::this_thread::sleep_for(retry_pause);
  }
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
    std::cout << std::left << std::setw(22) << k
              << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
}

/// Every node from node_status (PostgreSQL). The cluster's membership is
/// node_status: every node writes its row (with its admin endpoint and
/// partitions) every 2 s and marks it 'stopped' on the way out; a row whose
/// heartbeat went stale is a node that died ('lost').
json cluster_view(const std::string& pg_url) {
  pqxx::connection c(pg_url);
  pqxx::read_transaction r(c);
  json nodes = json::array();
  for (const auto& row : r.exec_params(
         "select node, case when state <> 'stopped' and heartbeat_at < now() - make_interval("
         " secs => $1) then 'lost' else state end, coalesce(admin_endpoint, ''),"
         " array_to_string(partitions, ','), active_profiles, memory_bytes, transactions_per_s,"
         " consumer_lag, rebalances,"
         " coalesce(to_char(last_rebalance_at, 'YYYY-MM-DD HH24:MI:SS'), ''),"
         " coalesce(last_rebalance_ms, 0), coalesce(last_rebalance_users, 0),"
         " extract(epoch from now() - heartbeat_at)::int, transactions_total"
         " from node_status order by node",
         heartbeat_fresh_s))
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
                     {"last_rebalance_users", row[11].as<long long>()},
                     {"heartbeat_age_s", row[12].as<long long>()},
                     {"transactions_total", row[13].as<long long>()}});
  return nodes;
}

bool live(const json& n) {
  return n["state"] == "running" || n["state"] == "starting";
}

/// Asks every live node with an admin endpoint for its protocol version:
/// the view says which of them this client can reach.
/// CAF 0.17 derives a node's CAF id from the host's MAC addresses and the
/// process id, so two identical containers on the host network (both pid 1)
/// share one, and this client would take the second for the first: say so.
void probe(caf::actor_system& sys, json& nodes) {
  std::map<std::string, std::string> caf_ids; // CAF node id -> rtad node
  for (auto& n : nodes) {
    if (!live(n) || n["admin"].get<std::string>().empty()) {
      n["reachable"] = nullptr;
      continue;
    }
    try {
      auto h = connect_once(sys, n["admin"].get<std::string>());
      n["reachable"] = true;
      auto id = caf::to_string(h.node());
      auto [at, fresh] = caf_ids.emplace(id, n["node"].get<std::string>());
      if (!fresh)
        n["warning"] = "same CAF node id as " + at->second + " (" + id +
                       "): identical hosts and process ids; run them with distinct pids or hosts";
    } catch (const std::exception& e) {
      n["reachable"] = false;
      n["unreachable_because"] = e.what();
    }
  }
}

/// The admin endpoint of the live node named `name`; empty if none.
std::string endpoint_of(const std::string& pg_url, const std::string& name) {
  for (const auto& n : cluster_view(pg_url))
    if (n["node"] == name && live(n))
      return n["admin"].get<std::string>();
  return "";
}

/// The admin endpoint of the node that owns `user` now: the live node whose
/// partitions hold the user's partition (from its checkpoint, else its last
/// stored transaction). Users follow partitions, so this stays right after a
/// rebalance; the node that wrote the last checkpoint is the fallback.
std::string owner_endpoint(const std::string& pg_url, const std::string& user) {
  pqxx::connection c(pg_url);
  pqxx::read_transaction r(c);
  auto row = r.exec_params(
    "with u as (select coalesce((select learned_partition from user_profiles where user_id = $1),"
    " (select kafka_partition from transactions where user_id = $1 order by timestamp desc"
    " limit 1)) as partition, (select node from user_profiles where user_id = $1) as last_node)"
    " select s.admin_endpoint from node_status s, u where s.state in ('running', 'starting')"
    " and s.heartbeat_at > now() - make_interval(secs => $2) and coalesce(s.admin_endpoint, '') <> "
    "''"
    " and (u.partition = any(s.partitions) or s.node = u.last_node)"
    " order by (u.partition = any(s.partitions)) desc, s.heartbeat_at desc limit 1",
    user, heartbeat_fresh_s);
  return row.empty() ? "" : row[0][0].as<std::string>();
}

std::string need_user(const admin_options& o) {
  if (o.args.empty())
    throw usage_error(o.action + " needs a user id");
  return o.args[0];
}

void print_cluster(const json& nodes) {
  std::cout << std::left << std::setw(20) << "node" << std::setw(10) << "state" << std::setw(14)
            << "partitions" << std::setw(10) << "profiles" << std::setw(9) << "tx/s" << std::setw(8)
            << "lag" << std::setw(11) << "rebalances" << std::setw(18) << "last rebalance"
            << "admin\n";
  for (const auto& n : nodes) {
    auto admin = n["admin"].get<std::string>();
    if (n["reachable"].is_boolean())
      admin += n["reachable"].get<bool>() ? " (reachable)" : " (UNREACHABLE)";
    std::cout << std::left << std::setw(20) << n["node"].get<std::string>() << std::setw(10)
              << n["state"].get<std::string>() << std::setw(14)
              << n["partitions"].get<std::string>() << std::setw(10)
              << n["active_profiles"].get<long long>() << std::setw(9)
              << static_cast<long long>(n["transactions_per_s"].get<double>()) << std::setw(8)
              << n["lag"].get<long long>() << std::setw(11) << n["rebalances"].get<long long>()
              << std::setw(18)
              << (std::to_string(n["last_rebalance_ms"].get<long long>()) + " ms, " +
                  std::to_string(n["last_rebalance_users"].get<long long>()) + " users")
              << admin << "\n";
    if (n.contains("warning"))
      std::cout << "  warning: " << n["warning"].get<std::string>() << "\n";
  }
}

/// drain NODE / shutdown NODE: asks the node to leave the group and waits
/// until its row says 'stopped'; then the other nodes hold its partitions.
json stop_node(caf::actor_system& sys, const admin_options& o, const config::settings& s,
               const std::string& secret) {
  bool drain = o.action == "drain";
  std::string name = o.args.empty() ? "" : o.args[0];
  std::string endpoint = name.empty() ? o.node : endpoint_of(s.pg.url, name);
  if (endpoint.empty())
    throw user_error("no live node named '" + name +
                     "' with an admin endpoint (rtad admin cluster"
                     " lists the nodes)");
  auto h = with_node(
    sys, o.timeout_s, "at " + endpoint, [&] { return endpoint; }, [](admin_actor h) { return h; });
  auto info = ask<node_info>(sys, h, o.timeout_s, status_atom::value, secret);
  name = info.node;
  std::set<std::int32_t> given_up(info.partitions.begin(), info.partitions.end());
  if (drain) {
    auto others = 0;
    for (const auto& n : cluster_view(s.pg.url))
      others += live(n) && n["node"] != name;
    if (others == 0)
      throw user_error("drain " + name +
                       ": it is the only live node, nobody would take its"
                       " partitions (use 'shutdown " +
                       name + "' to stop it anyway)");
    ask<bool>(sys, h, o.timeout_s, drain_atom::value, secret);
  } else {
    ask<bool>(sys, h, o.timeout_s, stop_atom::value, secret);
  }
  json out = {{"node", name}, {"action", o.action}};
  if (o.wait_s <= 0)
    return out;
  auto started = std::chrono::steady_clock::now();
  auto deadline = started + std::chrono::duration<double>(o.wait_s);
  for (;;) {
    auto nodes = cluster_view(s.pg.url);
    auto me =
      std::find_if(nodes.begin(), nodes.end(), [&](const json& n) { return n["node"] == name; });
    bool stopped = me != nodes.end() && (*me)["state"] == "stopped";
    // A drain is done once the others hold what the node gave up (their
    // rows show the new assignment within a heartbeat).
    json held = json::object();
    auto missing = given_up;
    for (const auto& n : nodes) {
      if (!live(n) || n["node"] == name)
        continue;
      held[n["node"].get<std::string>()] = n["partitions"];
      std::stringstream list(n["partitions"].get<std::string>());
      for (std::string p; std::getline(list, p, ',');)
        missing.erase(std::stoi(p));
    }
    if (stopped && (!drain || missing.empty())) {
      out["stopped"] = true;
      out["seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      out["partitions_now"] = held;
      return out;
    }
    if (std::chrono::steady_clock::now() > deadline)
      throw user_error(o.action + " " + name + ": asked, but " +
                       (stopped ? std::string("the other nodes did not take its partitions")
                                : std::string("its node_status row did not say 'stopped'")) +
                       " within " + std::to_string(static_cast<int>(o.wait_s)) + " s; see its log");
    std::this_thread::sleep_for(retry_pause);
  }
}

int run_admin(const admin_options& o, const global_options& g) {
  auto s = g.load();
  auto secret = o.secret.empty() ? s.node.admin_secret : o.secret;
  rtad_system_config cfg;
  use_admin_tls(cfg, s.admin); // a client key OpenSSL cannot load would hang the connect
  caf::actor_system sys{cfg};
  json out;
  if (o.action == "cluster") {
    out = cluster_view(s.pg.url);
    probe(sys, out);
    if (o.as_json)
      std::cout << out.dump(2) << "\n";
    else
      print_cluster(out);
    return 0;
  }
  if (o.action == "drain" || o.action == "shutdown") {
    out = stop_node(sys, o, s, secret);
  } else if (o.action == "members") {
    auto members = with_node(
      sys, o.timeout_s, "at " + o.node, [&] { return o.node; },
      [&](admin_actor h) {
        return ask<std::vector<member_view>>(sys, h, attempt_s, members_atom::value, secret);
      });
    out = json::array();
    for (const auto& m : members)
      out.push_back({{"node", m.info.node},
                     {"admin", m.info.admin_endpoint},
                     {"state", m.state},
                     {"last_heard_ms", m.last_heard_ms},
                     {"started_ms", m.info.incarnation}});
    if (!o.as_json) {
      std::cout << std::left << std::setw(24) << "NODE" << std::setw(10) << "STATE" << std::setw(16)
                << "LAST HEARD"
                << "ADMIN\n";
      for (const auto& m : out)
        std::cout << std::left << std::setw(24) << m["node"].get<std::string>() << std::setw(10)
                  << m["state"].get<std::string>() << std::setw(16)
                  << (m["state"] == "self"
                        ? std::string("-")
                        : std::to_string(m["last_heard_ms"].get<long long>()) + " ms")
                  << m["admin"].get<std::string>() << "\n";
      return 0;
    }
  } else if (o.action == "status") {
    out = with_node(
      sys, o.timeout_s, "at " + o.node, [&] { return o.node; },
      [&](admin_actor h) {
        return to_json(ask<node_info>(sys, h, attempt_s, status_atom::value, secret));
      });
  } else if (o.action == "profile" || o.action == "retrain" || o.action == "freeze" ||
             o.action == "unfreeze" || o.action == "threshold") {
    if (o.action == "threshold" && o.args.size() != 2)
      throw usage_error("threshold USER|global VALUE (VALUE 'auto' makes a user's adaptive again)");
    auto user = need_user(o);
    bool floor = o.action == "threshold" && user == "global";
    // Found on whichever node owns the user now, looked up again after every
    // failed attempt; the node on the command line when PostgreSQL cannot say.
    auto where = [&]() -> std::string {
      if (floor)
        return o.node;
      try {
        auto owner = owner_endpoint(s.pg.url, user);
        return owner.empty() ? o.node : owner;
      } catch (const std::exception&) {
        return o.node;
      }
    };
    out = with_node(
      sys, o.timeout_s, floor ? "at " + o.node : "for user " + user, where,
      [&](admin_actor h) -> json {
        if (o.action == "profile")
          return to_json(ask<profile_info>(sys, h, attempt_s, profile_atom::value, secret, user));
        if (o.action == "retrain")
          return {{"retrained", ask<bool>(sys, h, attempt_s, retrain_atom::value, secret, user)}};
        if (o.action == "freeze" || o.action == "unfreeze") {
          bool frozen = o.action == "freeze";
          ask<bool>(sys, h, attempt_s, freeze_atom::value, secret, user, frozen);
          return {{"user", user}, {"frozen", frozen}};
        }
        double value = o.args[1] == "auto" ? std::nan("") : std::stod(o.args[1]);
        ask<bool>(sys, h, attempt_s, threshold_atom::value, secret, floor ? std::string() : user,
                  value);
        return {{"threshold", user}, {"value", o.args[1]}};
      });
  } else {
    throw usage_error("unknown admin action '" + o.action +
                      "' (status, cluster, members, profile, retrain, freeze, unfreeze, threshold,"
                      " drain, shutdown)");
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
  cmd
    ->add_option("--timeout", o->timeout_s,
                 "seconds to keep trying to reach the node (or the user's owner)")
    ->capture_default_str();
  cmd
    ->add_option("--wait", o->wait_s,
                 "drain/shutdown: seconds to wait until the node has stopped (0: do not wait)")
    ->capture_default_str();
  cmd
    ->add_option("action", o->action,
                 "status | cluster | members | profile USER | retrain USER | freeze USER |"
                 " unfreeze USER |"
                 " threshold USER|global VALUE | drain [NODE] | shutdown [NODE]")
    ->required();
  cmd->add_option("args", o->args, "the action's arguments");
  cmd->footer("The cluster is what node_status says: every node writes its row, with its admin\n"
              "endpoint and partitions, every 2 s ('lost' when that stops). cluster lists every\n"
              "node and whether this client reaches it. members shows the cluster as the node at\n"
              "--node sees it: the nodes its registry joined (rtad node --join) or heard of, and\n"
              "when each last answered its heartbeat. profile/retrain/freeze/threshold USER go\n"
              "to the live node that owns the user's partition, and follow the user to its new\n"
              "owner if that node goes away, until --timeout. drain NODE hands the node's\n"
              "partitions to the others (rows committed, profiles checkpointed) and stops it,\n"
              "exit 0; it refuses the last live node. shutdown NODE stops it in the same way.\n"
              "Without NODE, drain and shutdown act on the node at --node.");
  return {cmd, [o, &g] { return run_admin(*o, g); }};
}

} // namespace

RTAD_REGISTER_COMMAND("admin", make_admin);

} // namespace rtad::app
