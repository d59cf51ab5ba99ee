#define BOOST_TEST_MODULE node PostgreSQL connections
// A node stopped with SIGSTOP in the middle of a sink transaction keeps its
// row locks: its kernel still answers TCP keepalives, so nothing else ends
// the session. The next owner's claim of its partitions waited for them as
// long as the node stayed stopped (and with the claim, its whole rebalance).
#include "actors/detail/pg_connection.hpp"
#include "support/migrated_db.hpp"

#include <chrono>
#include <pqxx/pqxx>

using namespace rtad;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(a_transaction_a_node_left_idle_gives_up_its_locks_after_ten_seconds) {
  test::migrated_db db("rtad_pgconn");
  {
    pqxx::connection c(db.url());
    pqxx::work w(c);
    w.exec("insert into kafka_offsets (consumer_group, topic, kafka_partition, next_offset, node)"
           " values ('g', 't', 0, 5, 'stopped')");
    w.commit();
  }
  pqxx::connection stopped(node_connection_url(db.url(), 30000ms));
  pqxx::work held(stopped);
  held.exec("select * from kafka_offsets for share"); // as the sink's fence does; then nothing
  pqxx::connection next_owner(db.url());
  pqxx::work claim(next_owner);
  claim.exec("set local statement_timeout = 20000");
  auto started = std::chrono::steady_clock::now();
  claim.exec("update kafka_offsets set node = 'next', owner_epoch = owner_epoch + 1");
  auto waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  claim.commit();
  BOOST_TEST(waited < 15.0);
  BOOST_CHECK_THROW(held.exec("select 1"), std::exception); // its session was ended
}

BOOST_AUTO_TEST_CASE(key_value_urls_get_the_same_settings) {
  auto url = node_connection_url("host=127.0.0.1 dbname=rtad", 500ms);
  BOOST_TEST(url.find("options='-c idle_in_transaction_session_timeout=10000 -c jit=off -c "
                      "statement_timeout=500'") != std::string::npos,
             url);
  BOOST_TEST(node_connection_url("postgresql://h/db", 0ms)
               .find("&options=-c%20idle_in_transaction_session_timeout%3D10000") !=
             std::string::npos);
}
