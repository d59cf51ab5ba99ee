#define BOOST_TEST_MODULE poison messages
// One bad message among good ones, through the real broker into PostgreSQL:
// it must land in quarantine with its reason while every good transaction is
// stored. Before the door checked them, a NUL in a user id stalled the node
// for good (the profile store's restore query failed forever) and a
// timestamp in 2099 made the writer ask for every day partition up to 2099.
#include "actors/detail/system_config.hpp"
#include "actors/node.hpp"
#include "support/node_fixture.hpp"
#include "support/stream.hpp"

#include <caf/all.hpp>

using namespace rtad;
using test::wall_clock;

namespace {

/// 400 good transactions of the last two days with `poison` in the middle;
/// checks what the node stored and quarantined.
void expect_poison_quarantined_and_the_rest_stored(const std::string& name,
                                                   const transaction& poison,
                                                   const std::string& reason_like) {
  test::node_fixture f(name, 2);
  test::population people(20, 11, wall_clock() - 2 * 86400);
  test::producer p(f.settings.kafka.bootstrap);
  long long good = 0;
  for (int r = 0; r < 20; ++r) {
    if (r == 10)
      p.send(f.topic, poison.user_id, encode_transaction(poison));
    for (const auto& t : people.round()) {
      p.send(f.topic, t.user_id, encode_transaction(t));
      ++good;
    }
  }
  p.flush();
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  f.wait_for("select count(*) from transactions", good, std::chrono::seconds(60));
  f.wait_for("select count(*) from quarantine", 1, std::chrono::seconds(10));
  BOOST_TEST(n.stop(std::chrono::seconds(30)));
  BOOST_TEST(f.count("select count(*) from transactions") == good);
  BOOST_TEST(f.count("select count(distinct transaction_id) from transactions") == good);
  // Every message, the poison too, is behind the committed offsets.
  BOOST_TEST(f.count("select sum(next_offset) from kafka_offsets") == good + 1);
  BOOST_TEST(f.count("select count(*) from quarantine where reason like '" + reason_like + "'") ==
             1);
  BOOST_TEST(f.count("select count(*) from quarantine") == 1);
}

transaction poison_base() {
  test::population one(1, 3, wall_clock() - 86400);
  auto t = one.normal(0);
  t.transaction_id = "poison";
  return t;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_nul_in_a_user_id_is_quarantined_and_every_good_transaction_stored) {
  auto t = poison_base();
  t.user_id = std::string("u\0x", 3); // encoded as "u\u0000x"
  expect_poison_quarantined_and_the_rest_stored(
    "rtad_poison_nul", t, "field ''user_id'' contains a NUL character (at byte 1)");
}

BOOST_AUTO_TEST_CASE(a_timestamp_in_2099_is_quarantined_and_every_good_transaction_stored) {
  auto t = poison_base();
  t.timestamp = 4070908800; // 2099-01-01
  expect_poison_quarantined_and_the_rest_stored(
    "rtad_poison_future", t, "timestamp 4070908800 is % s ahead of the node''s clock%");
}

BOOST_AUTO_TEST_CASE(an_unreadable_checkpoint_is_replaced_by_the_model_started_afresh) {
  // Checkpoints never go back in model_version (a node that lost a user's
  // partition must not undo the new owner's learning), so a model started
  // afresh over an unreadable one of version 9 counts on from 9; otherwise
  // its checkpoints would be refused and the bad one read again for ever.
  test::node_fixture f("rtad_poison_checkpoint", 1);
  test::population people(5, 12, wall_clock() - 2 * 86400);
  {
    pqxx::connection c(f.db.url());
    pqxx::work w(c);
    w.exec("insert into user_profiles (user_id, model_version, checkpoint) select user_id, 9,"
           " '\\x00ff'::bytea from (values ('user-0'), ('user-1')) v(user_id)");
    w.commit();
  }
  test::producer p(f.settings.kafka.bootstrap);
  auto sent = f.send_rounds(p, people, 10);
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  f.wait_for("select count(*) from transactions", sent, std::chrono::seconds(60));
  BOOST_TEST(n.stop(std::chrono::seconds(30))); // checkpoints every profile
  BOOST_TEST(f.count("select count(*) from user_profiles where checkpoint = '\\x00ff'::bytea") ==
             0);
  BOOST_TEST(f.count("select count(*) from user_profiles where user_id in ('user-0', 'user-1')"
                     " and model_version >= 9") == 2);
}
