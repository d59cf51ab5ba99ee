#include "actors/detail/node_lock.hpp"

#include "actors/detail/log.hpp"

#include <pqxx/pqxx>

namespace rtad {

namespace {

/// Who holds `node` according to node_status, for the message.
std::string holder(pqxx::connection& c, const std::string& node) {
  pqxx::read_transaction r(c);
  auto rows = r.exec_params("select coalesce(host, '?'), coalesce(pid, 0), state,"
                            " extract(epoch from now() - heartbeat_at)::int from node_status"
                            " where node = $1",
                            node);
  if (rows.empty())
    return "";
  return " (node_status: host " + rows[0][0].as<std::string>() + ", pid " +
         rows[0][1].as<std::string>() + ", " + rows[0][2].as<std::string>() + ", heartbeat " +
         rows[0][3].as<std::string>() + " s ago)";
}

} // namespace

node_lock::node_lock(const std::string& url, const std::string& node) : url_(url), node_(node) {
  if (take())
    return;
  throw node_id_taken("node id '" + node_ + "' is in use: another rtad node is running with it" +
                      holder(*conn_, node_) + "; give this one another --name (node.name)");
}

node_lock::~node_lock() = default; // closing the session releases the lock

bool node_lock::take() {
  if (!conn_ || !conn_->is_open())
    conn_ = std::make_unique<pqxx::connection>(url_); // the node's: with keepalives
  pqxx::nontransaction n(*conn_);
  return n
    .exec_params("select pg_try_advisory_lock($1, hashtext($2))", node_lock_class, node_)[0][0]
    .as<bool>();
}

bool node_lock::check() {
  try {
    if (conn_ && conn_->is_open()) {
      pqxx::nontransaction n(*conn_);
      n.exec("select 1");
      return true;
    }
  } catch (const pqxx::broken_connection&) {
    conn_.reset(); // the session, and with it the lock, is gone
  } catch (const std::exception& e) {
    log::warn("node_lock", std::string("cannot check the node id lock: ") + e.what());
    return true;
  }
  try {
    if (take()) {
      log::info("node_lock", "took the node id lock again" + log::fields()("node", node_).str());
      return true;
    }
    log::error("node_lock", "another process took this node id while the database was away" +
                              log::fields()("node", node_).str());
    return false;
  } catch (const std::exception&) {
    conn_.reset();
    return true; // PostgreSQL away: nobody else can take the id either
  }
}

} // namespace rtad
