#pragma once
// A scratch database with rtad's schema, for tests that drive the writer or
// the sink directly, and the one-number queries they check it with.

#include "db/migrate.hpp"
#include "support/scratch_db.hpp"

#include <pqxx/pqxx>
#include <string>

namespace rtad::test {

class migrated_db : public scratch_db {
public:
  explicit migrated_db(const std::string& prefix) : scratch_db(prefix) {
    pqxx::connection c(url());
    db::migrate(c);
  }

  /// The first column of the first row of `sql`.
  long long count(const std::string& sql) const {
    pqxx::connection c(url());
    pqxx::read_transaction r(c);
    return r.exec(sql)[0][0].as<long long>();
  }
};

} // namespace rtad::test
