#define BOOST_TEST_MODULE day partitions of the writer
// The writer creates the day partitions its rows need before the batch. It
// once created every day from the oldest row to the newest: one message in
// 2099 asked for 27,000 partitions in one transaction (out of shared memory),
// retried forever.
#include "actors/detail/pg_writer.hpp"
#include "support/migrated_db.hpp"
#include "support/stored_rows.hpp"

#include <pqxx/pqxx>

using namespace rtad;

namespace {

constexpr std::int64_t day = 86400;
constexpr std::int64_t jan_1_2026 = 1767225600;

/// A scratch database that also counts the day partitions of `transactions`.
struct migrated_db : test::migrated_db {
  migrated_db() : test::migrated_db("rtad_partitions") {}
  long long partitions() const {
    return count("select count(*) from pg_inherits i join pg_class p on p.oid = i.inhparent"
                 " where p.relname = 'transactions'");
  }
};

void write(pg_writer& w, const std::vector<scored_transaction>& rows) {
  write_batch b;
  for (const auto& r : rows)
    b.rows.push_back(&r);
  w.write(b);
}

} // namespace

BOOST_AUTO_TEST_CASE(a_batch_creates_the_partitions_of_its_rows_days_not_the_days_between) {
  migrated_db db;
  pg_writer w({db.url(), "n1", "g", "t", true, 30});
  write(w, {test::stored_row(0, jan_1_2026 + 3600), test::stored_row(1, jan_1_2026 + 365 * day),
            test::stored_row(2, jan_1_2026 + 7200)});
  BOOST_TEST(db.partitions() == 2); // 2026-01-01 and 2027-01-01, not the 364 days between
  BOOST_TEST(db.count("select count(*) from transactions") == 3);
}

BOOST_AUTO_TEST_CASE(a_batch_over_many_days_gets_each_of_them) {
  migrated_db db;
  pg_writer w({db.url(), "n1", "g", "t", true, 30});
  std::vector<scored_transaction> rows;
  for (int i = 0; i < 40; ++i) // more days than one transaction creates
    rows.push_back(test::stored_row(i, jan_1_2026 + i * 3 * day));
  write(w, rows);
  BOOST_TEST(db.partitions() == 40);
  BOOST_TEST(db.count("select count(*) from transactions") == 40);
  write(w, rows); // known days are not asked for again; the replay changes nothing
  BOOST_TEST(db.count("select count(*) from transactions") == 40);
}
