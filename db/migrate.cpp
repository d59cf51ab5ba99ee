#include "db/migrate.hpp"

#include <pqxx/pqxx>

namespace rtad::db {

namespace {

// Any constant shared by every rtad process; it names the migration lock.
constexpr long long migration_lock_key = 0x72746164; // "rtad"

void ensure_ledger(pqxx::connection& c) {
  pqxx::work w(c);
  w.exec("create table if not exists schema_migrations ("
         " version integer primary key, name text not null,"
         " applied_at timestamptz not null default now())");
  w.commit();
}

} // namespace

int schema_version(pqxx::connection& c) {
  ensure_ledger(c);
  pqxx::read_transaction r(c);
  return r.exec("select coalesce(max(version), 0) from schema_migrations")[0][0].as<int>();
}

std::vector<std::string> migrate(pqxx::connection& c) {
  ensure_ledger(c);
  // A session-level lock: it outlives the statement that takes it.
  auto advisory = [&c](const char* fn) {
    pqxx::nontransaction n(c);
    n.exec_params(std::string("select ") + fn + "($1)", migration_lock_key);
  };
  advisory("pg_advisory_lock");
  std::vector<std::string> applied;
  try {
    for (const auto& m : migrations()) {
      pqxx::work w(c);
      auto done = w.exec_params("select 1 from schema_migrations where version = $1", m.version);
      if (!done.empty())
        continue;
      w.exec(m.sql);
      w.exec_params("insert into schema_migrations (version, name) values ($1, $2)", m.version,
                    m.name);
      w.commit();
      applied.push_back(m.name);
    }
  } catch (...) {
    advisory("pg_advisory_unlock");
    throw;
  }
  advisory("pg_advisory_unlock");
  return applied;
}

const std::vector<std::string>& data_tables() {
  static const std::vector<std::string> t{
    "labels",        "frauds",        "anomaly_outbox", "transactions",      "user_profiles",
    "global_models", "kafka_offsets", "quarantine",     "quarantine_outbox", "node_status"};
  return t;
}

void reset(pqxx::connection& c) {
  pqxx::work w(c);
  std::string list;
  for (const auto& t : data_tables())
    list += (list.empty() ? "" : ", ") + t;
  w.exec("truncate " + list + " restart identity");
  // Partitions are created on demand; drop them so old days do not linger.
  w.exec("do $$ declare r record; begin"
         " for r in select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
         " join pg_class p on p.oid = i.inhparent where p.relname = 'transactions' loop"
         " execute format('drop table %I', r.relname); end loop; end $$");
  w.commit();
}

} // namespace rtad::db
