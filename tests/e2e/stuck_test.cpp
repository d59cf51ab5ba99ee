#define BOOST_TEST_MODULE a stuck PostgreSQL
// PostgreSQL that answers nothing (a lock held by someone else, standing in
// for a wedged server): the node must say so on /readyz, and its statements
// must end after pg.statement_timeout_ms and be retried rather than wait
// forever; an actor whose thread waits on it must show on /healthz. Before,
// a blocked write left /readyz at 200 and waited as long as the lock, and
// /healthz said 200 as long as no actor had ended.
#include "actors/detail/metrics_http.hpp"
#include "actors/detail/system_config.hpp"
#include "actors/node.hpp"
#include "support/http_get.hpp"
#include "support/node_fixture.hpp"
#include "support/stream.hpp"

#include <caf/all.hpp>
#include <thread>

using namespace rtad;
using test::http_get;
using test::wall_clock;

namespace {

/// Waits up to `limit` for `ok`; whether it came.
template <class F>
bool eventually(F ok, std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!ok()) {
    if (std::chrono::steady_clock::now() > until)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_writer_that_cannot_commit_turns_readyz_to_503_until_it_does) {
  test::node_fixture f("rtad_stuck_readyz", 2);
  f.settings.pg.statement_timeout_ms = 0; // the write waits as long as the lock
  f.settings.sink.stuck_after_s = 2;
  test::population people(20, 3, wall_clock() - 86400);
  test::producer p(f.settings.kafka.bootstrap);
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  metrics_http http("127.0.0.1", 0, "e2e", n.metrics(), [&] { return !n.failed(); });
  auto sent = f.send_rounds(p, people);
  f.wait_for("select count(*) from transactions", sent);
  BOOST_TEST(
    eventually([&] { return http_get(http.port(), "/readyz").find("200 OK") != std::string::npos; },
               std::chrono::seconds(10)));
  {
    pqxx::connection blocker(f.db.url());
    pqxx::work hold(blocker);
    hold.exec("lock table kafka_offsets in access exclusive mode");
    sent += f.send_rounds(p, people);
    std::string readyz;
    BOOST_TEST(eventually(
      [&] {
        readyz = http_get(http.port(), "/readyz");
        return readyz.find("503") != std::string::npos;
      },
      std::chrono::seconds(20)));
    BOOST_TEST(readyz.find("the sink has not committed for") != std::string::npos, readyz);
    hold.commit();
  }
  f.wait_for("select count(*) from transactions", sent);
  BOOST_TEST(
    eventually([&] { return http_get(http.port(), "/readyz").find("200 OK") != std::string::npos; },
               std::chrono::seconds(10)));
  BOOST_TEST(n.stop(std::chrono::seconds(30)));
  f.expect_exactly_once(sent);
}

BOOST_AUTO_TEST_CASE(a_statement_blocked_past_its_timeout_ends_and_is_retried) {
  test::node_fixture f("rtad_stuck_timeout", 2);
  f.settings.pg.statement_timeout_ms = 500;
  test::population people(20, 4, wall_clock() - 86400);
  test::producer p(f.settings.kafka.bootstrap);
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  auto sent = f.send_rounds(p, people);
  f.wait_for("select count(*) from transactions", sent);
  auto errors = n.metrics()->sink_errors.load();
  {
    pqxx::connection blocker(f.db.url());
    pqxx::work hold(blocker);
    hold.exec("lock table kafka_offsets in access exclusive mode");
    sent += f.send_rounds(p, people);
    // Each attempt ends after 500 ms with "canceling statement due to
    // statement timeout"; the sink backs off and tries again.
    BOOST_TEST(eventually([&] { return n.metrics()->sink_errors.load() >= errors + 2; },
                          std::chrono::seconds(20)));
    hold.commit();
  }
  f.wait_for("select count(*) from transactions", sent);
  BOOST_TEST(n.stop(std::chrono::seconds(30)));
  f.expect_exactly_once(sent);
}

BOOST_AUTO_TEST_CASE(an_actor_blocked_inside_a_handler_turns_healthz_to_503_naming_it) {
  test::node_fixture f("rtad_stuck_healthz", 2);
  f.settings.pg.statement_timeout_ms = 0; // the restore waits as long as the lock
  f.settings.node.silent_after_s = 2;
  test::population people(20, 5, wall_clock() - 86400);
  test::producer p(f.settings.kafka.bootstrap);
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  metrics_http http("127.0.0.1", 0, "e2e", n.metrics(), [&] { return !n.failed(); });
  BOOST_TEST(
    eventually([&] { return http_get(http.port(), "/readyz").find("200 OK") != std::string::npos; },
               std::chrono::seconds(20)));
  BOOST_TEST(http_get(http.port(), "/healthz").find("200 OK") != std::string::npos);
  long long sent = 0;
  {
    // Every user is new: the profile store's restore query waits for the
    // lock, and with it the store's thread, so its mailbox goes unanswered.
    pqxx::connection blocker(f.db.url());
    pqxx::work hold(blocker);
    hold.exec("lock table user_profiles in access exclusive mode");
    sent = f.send_rounds(p, people);
    std::string healthz;
    BOOST_TEST(eventually(
      [&] {
        healthz = http_get(http.port(), "/healthz");
        return healthz.find("503") != std::string::npos;
      },
      std::chrono::seconds(20)));
    BOOST_TEST(healthz.find("profile store has not answered for") != std::string::npos, healthz);
    BOOST_TEST(http_get(http.port(), "/metrics")
                 .find("rtad_actor_silent_seconds{node=\"e2e\",actor=\"profile store\"}") !=
               std::string::npos);
    hold.commit();
  }
  f.wait_for("select count(*) from transactions", sent);
  BOOST_TEST(eventually(
    [&] { return http_get(http.port(), "/healthz").find("200 OK") != std::string::npos; },
    std::chrono::seconds(10)));
  BOOST_TEST(n.stop(std::chrono::seconds(30)));
  f.expect_exactly_once(sent);
}

BOOST_AUTO_TEST_CASE(a_new_day_does_not_make_readers_wait_behind_an_open_write) {
  // A transaction left open on `transactions` (a node stopped with SIGSTOP
  // in the middle of a write) while a new day's partition is needed.
  // CREATE TABLE ... PARTITION OF needed the table to itself, and while it
  // waited every later statement on the table queued behind it: both nodes
  // of the fault campaign stalled for the statement timeout. The partition
  // is now attached (db/migrations/008), which waits for nobody, and any
  // DDL gives up after a second and is retried.
  test::node_fixture f("rtad_stuck_ddl", 2);
  test::population people(20, 6, wall_clock() - 10 * 86400);
  test::producer p(f.settings.kafka.bootstrap);
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  auto sent = f.send_rounds(p, people);
  f.wait_for("select count(*) from transactions", sent);
  auto can_read = [&] {
    try {
      pqxx::connection c(f.db.url());
      pqxx::work w(c);
      w.exec("set local statement_timeout = 3000");
      w.exec("select count(*) from transactions");
      return true;
    } catch (const std::exception&) {
      return false;
    }
  };
  int refused_reads = 0;
  {
    pqxx::connection stopped(f.db.url());
    pqxx::work held(stopped);
    held.exec("lock table transactions in row exclusive mode");
    // Five days later: a day with no partition yet.
    test::population later(20, 7, wall_clock() - 5 * 86400);
    for (auto t : later.round()) {
      t.transaction_id = "later-" + t.transaction_id;
      p.send(f.topic, t.user_id, encode_transaction(t));
      ++sent;
    }
    p.flush();
    for (int i = 0; i < 8; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      refused_reads += !can_read();
    }
    held.commit();
  }
  BOOST_TEST(refused_reads == 0);
  f.wait_for("select count(*) from transactions", sent);
  BOOST_TEST(n.stop(std::chrono::seconds(30)));
  f.expect_exactly_once(sent);
}
