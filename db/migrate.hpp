#pragma once

#include <pqxx/connection>
#include <string>
#include <vector>

namespace rtad::db {

/// One numbered migration from db/migrations.
struct migration {
  int version;
  std::string name;
  std::string sql;
};

/// Every migration, in version order (embedded at build time).
const std::vector<migration>& migrations();

/// Applies the migrations the database lacks, each in its own transaction,
/// under an advisory lock so nodes starting together do not race. Returns the
/// names of those applied now (empty when the schema is current).
std::vector<std::string> migrate(pqxx::connection& c);

/// Highest applied version, 0 for an empty database.
int schema_version(pqxx::connection& c);

/// Tables that `reset` empties, in the order it empties them.
const std::vector<std::string>& data_tables();

/// Deletes every row rtad wrote (anomalies, transactions and their
/// partitions, profiles and checkpoints, offsets, quarantine, node status,
/// labels), keeping the schema.
void reset(pqxx::connection& c);

} // namespace rtad::db
