#define BOOST_TEST_MODULE rows PostgreSQL refuses
// A row PostgreSQL refuses for good (bad encoding, value out of range) used
// to fail its whole batch, retried forever, and held up every other row of
// its lane. The writer now finds it, quarantines it and commits the rest.
#include "actors/detail/pg_writer.hpp"
#include "actors/detail/system_config.hpp"
#include "actors/sink.hpp"
#include "support/migrated_db.hpp"
#include "support/stored_rows.hpp"

#include <caf/all.hpp>
#include <pqxx/pqxx>
#include <thread>

using namespace rtad;

namespace {

/// 20 rows of partition 0; rows 5 (a NUL in its user id) and 13 (an amount
/// beyond numeric(18, 2)) cannot be stored.
std::vector<scored_transaction> rows_with_two_bad() {
  std::vector<scored_transaction> rows;
  for (int i = 0; i < 20; ++i)
    rows.push_back(test::stored_row(i, 1767225600 + i));
  rows[5].txn.user_id = std::string("u\0x", 3);
  rows[13].txn.amount = 1e20;
  return rows;
}

struct migrated_db : test::migrated_db {
  migrated_db() : test::migrated_db("rtad_refused") {}
};

// January 2026 rows, and retention counts days back from today.
pg_writer_config writer_config(const std::string& url) {
  return {url, "n1", "g", "t", true, 36500};
}

} // namespace

BOOST_AUTO_TEST_CASE(only_refusals_of_a_record_count_as_permanent) {
  BOOST_TEST(refuses_a_record(pqxx::data_exception("x", "q", "22021")));
  BOOST_TEST(refuses_a_record(pqxx::sql_error("malformed array literal", "q", "22P02")));
  BOOST_TEST(refuses_a_record(pqxx::integrity_constraint_violation("x", "q", "23502")));
  BOOST_TEST(!refuses_a_record(pqxx::broken_connection("server closed the connection")));
  BOOST_TEST(!refuses_a_record(pqxx::serialization_failure("could not serialize access")));
  BOOST_TEST(
    !refuses_a_record(pqxx::sql_error("canceling statement due to timeout", "q", "57014")));
  BOOST_TEST(!refuses_a_record(pqxx::sql_error("terminating connection", "q", "57P01")));
  BOOST_TEST(!refuses_a_record(std::runtime_error("anything else")));
}

BOOST_AUTO_TEST_CASE(refused_rows_are_quarantined_and_the_rest_commit_with_the_offsets) {
  migrated_db db;
  pg_writer w(writer_config(db.url()));
  auto rows = rows_with_two_bad();
  write_batch b;
  for (const auto& r : rows)
    b.rows.push_back(&r);
  b.watermarks = {{0, 20}};
  auto refused = w.write_isolating(b);
  BOOST_REQUIRE_EQUAL(refused.size(), 2u);
  BOOST_TEST(refused[0].row == &rows[5]);
  BOOST_TEST(refused[1].row == &rows[13]);
  BOOST_TEST(db.count("select count(*) from transactions") == 18);
  BOOST_TEST(db.count("select next_offset from kafka_offsets where kafka_partition = 0") == 20);
  BOOST_TEST(db.count("select count(*) from quarantine where reason like"
                      " 'refused by PostgreSQL: %' and kafka_offset in (5, 13)") == 2);
  BOOST_TEST(db.count("select count(*) from quarantine where reason like '%numeric%overflow%'") ==
             1);
}

BOOST_AUTO_TEST_CASE(the_sink_credits_every_row_when_postgresql_refuses_some) {
  migrated_db db;
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  sink_config sc;
  sc.writer = writer_config(db.url());
  sc.writers = 1;
  sc.batch_rows = 100;
  sc.flush_interval = std::chrono::milliseconds(10);
  sc.metrics = std::make_shared<node_metrics>();
  auto s = sys.spawn(sink, sc);
  std::vector<offset_batch> announced{{0, {}}};
  for (int i = 0; i < 20; ++i)
    announced[0].offsets.push_back(i);
  self->send(s, announce_atom::value, announced);
  self->send(s, rows_with_two_bad());
  std::uint64_t credit = 0;
  self->receive([&](std::uint64_t n) { credit = n; },
                caf::after(std::chrono::seconds(20)) >> [] { BOOST_FAIL("no credit came back"); });
  BOOST_TEST(credit == 20u);
  BOOST_TEST(db.count("select count(*) from transactions") == 18);
  BOOST_TEST(db.count("select count(*) from quarantine") == 2);
  // The figures move just after the credit goes out.
  for (int i = 0; i < 100 && sc.metrics->quarantined.load() < 2u; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  BOOST_TEST(sc.metrics->quarantined.load() == 2u);
  BOOST_TEST(sc.metrics->stored_rows.load() == 18u);
  self->send_exit(s, caf::exit_reason::user_shutdown);
}
