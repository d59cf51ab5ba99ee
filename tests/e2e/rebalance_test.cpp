#define BOOST_TEST_MODULE a rebalance writes nothing while the group waits
// With every row stored, a hand-over checkpoints no profile while the
// consumer group waits for it: a partition that comes straight back keeps
// its profiles in memory, and the new owner of the others catches their
// users up from the last checkpoint and the stored rows after it.
#include "support/cluster.hpp"
#include "support/node_fixture.hpp"
#include "support/process.hpp"
#include "support/stream.hpp"

#include <memory>
#include <thread>

using namespace rtad;
using test::wall_clock;

namespace {

/// The value of `key=` in a log line ("" when absent or empty).
std::string field(const std::string& line, const std::string& key) {
  auto at = line.find(" " + key + "=");
  if (at == std::string::npos)
    return "";
  auto rest = line.substr(at + key.size() + 2);
  return rest.substr(0, rest.find(' '));
}

/// A topic of four partitions, forty users sending, and nodes logging to
/// files named after the topic.
struct nodes_on_a_topic {
  test::node_fixture f;
  test::population people;
  test::producer p;
  long long sent = 0;

  nodes_on_a_topic(const std::string& name, unsigned seed)
      : f(name, 4), people(40, seed, wall_clock() - 7 * 86400), p(f.settings.kafka.bootstrap) {}

  std::string log_of(const std::string& node) const {
    return "/tmp/" + f.topic + "-" + node + ".log";
  }

  /// `rounds` transactions of every user.
  void send(int rounds) {
    for (int r = 0; r < rounds; ++r)
      for (const auto& t : people.round()) {
        p.send(f.topic, t.user_id, encode_transaction(t));
        ++sent;
      }
    p.flush();
  }

  std::unique_ptr<test::child> start(const std::string& node,
                                     const std::vector<std::string>& extra = {}) const {
    return std::make_unique<test::child>(test::node_args(f.settings, node, extra), log_of(node));
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(a_joining_node_costs_no_checkpoint_and_every_user_keeps_all_it_learnt) {
  nodes_on_a_topic run("rtad_rebalance", 31);
  auto& f = run.f;
  auto alpha = run.start("alpha");
  BOOST_REQUIRE(test::eventually([&] { return test::owns_partitions(run.log_of("alpha")); },
                                 std::chrono::seconds(30)));
  run.send(6);
  f.wait_for("select count(*) from transactions", run.sent);

  auto bravo = run.start("bravo");
  BOOST_REQUIRE_MESSAGE(test::all_own_partitions({run.log_of("alpha"), run.log_of("bravo")}),
                        "the nodes did not share the partitions; see " << run.log_of("alpha"));
  // alpha gave up all four while the group waited, checkpointing nobody,
  // and kept the profiles of the two it got back.
  auto revoked = test::last_line_with(run.log_of("alpha"), "kafka_source revoked");
  BOOST_TEST(field(revoked, "users_moved") == "0", revoked);
  auto assigned = test::last_line_with(run.log_of("alpha"), "kafka_source assigned");
  BOOST_TEST(field(assigned, "kept") == field(assigned, "partitions"), assigned);
  BOOST_TEST(!field(assigned, "kept").empty(), assigned);
  BOOST_TEST(!field(assigned, "dropped").empty(), assigned);
  BOOST_TEST(f.count("select count(*) from user_profiles where checkpoint is not null") == 0);

  run.send(6);
  f.wait_for("select count(*) from transactions", run.sent);
  for (auto* node : {alpha.get(), bravo.get()}) {
    node->signal(SIGTERM);
    BOOST_TEST(node->wait_exit(std::chrono::seconds(60)) == 0, "see " << run.log_of("alpha"));
  }
  f.expect_exactly_once(run.sent);
  // Every user's history holds every transaction it was sent, whether its
  // profile stayed with alpha or bravo rebuilt it from the stored rows.
  BOOST_TEST(f.count("select count(*) from user_profiles") == run.people.users());
  BOOST_TEST(f.count("select count(*) from user_profiles u join (select user_id, count(*) as n"
                     " from transactions group by user_id) t using (user_id)"
                     " where u.history_size <> t.n") == 0);
  BOOST_TEST(f.count("select count(distinct node) from user_profiles") == 2);
}

// A hand-over has a bound: a node whose sink cannot store what it read (here
// a lock on `transactions`, standing in for a wedged PostgreSQL) gives its
// partitions up after kafka.revoke_timeout_ms and stops, as a crash would,
// instead of holding the whole group in its revocation. Before, it waited
// for as long as the lock was held.
BOOST_AUTO_TEST_CASE(a_hand_over_that_cannot_store_stops_the_node_within_its_bound) {
  nodes_on_a_topic run("rtad_rebalance_bound", 37);
  auto& f = run.f;
  // Statements wait as long as the lock (no statement timeout).
  const std::vector<std::string> extra{"--set", "pg.statement_timeout_ms=0",
                                       "--set", "kafka.revoke_timeout_ms=3000",
                                       "--set", "node.shutdown_timeout_s=5"};
  auto alpha = run.start("alpha", extra);
  BOOST_REQUIRE(test::eventually([&] { return test::owns_partitions(run.log_of("alpha")); },
                                 std::chrono::seconds(30)));
  run.send(3);
  f.wait_for("select count(*) from transactions", run.sent);

  std::unique_ptr<test::child> bravo;
  {
    pqxx::connection blocker(f.db.url());
    pqxx::work hold(blocker);
    hold.exec("lock table transactions in access exclusive mode");
    run.send(3); // alpha reads them and cannot store them
    std::this_thread::sleep_for(std::chrono::seconds(1));
    bravo = run.start("bravo", extra);
    // alpha's revocation gives up after 3 s; its shutdown is bounded by 5 s.
    auto code = alpha->wait_exit(std::chrono::seconds(30));
    BOOST_TEST((code > 0 && code != 2),
               "alpha's exit: " << code << ", see " << run.log_of("alpha"));
    BOOST_TEST(test::occurrences(run.log_of("alpha"), "leaving it to the partitions' next owner and"
                                                      " stopping the node") == 1);
    hold.commit();
  }
  // bravo takes every partition over from the committed offsets.
  run.send(2);
  f.wait_for("select count(*) from transactions", run.sent);
  bravo->signal(SIGTERM);
  BOOST_TEST(bravo->wait_exit(std::chrono::seconds(60)) == 0, "see " << run.log_of("bravo"));
  f.expect_exactly_once(run.sent);
}

// With only anomalies stored there are no rows a new owner could catch its
// users up from, so the profiles themselves move: the revoked node marks its
// partitions instead of checkpointing while the group waits, checkpoints
// those that moved after the rebalance, and their new owner leaves them
// unread until it has. Before, the revocation checkpointed every profile
// while the whole group waited (56 s for 92,198 users).
BOOST_AUTO_TEST_CASE(with_only_anomalies_stored_the_profiles_move_after_the_rebalance_not_during) {
  nodes_on_a_topic run("rtad_rebalance_handover", 41);
  auto& f = run.f;
  const std::string consumed = "select coalesce(sum(next_offset), 0) from kafka_offsets";
  const std::vector<std::string> extra{"--set", "sink.store_all=false"};
  auto alpha = run.start("alpha", extra);
  BOOST_REQUIRE(test::eventually([&] { return test::owns_partitions(run.log_of("alpha")); },
                                 std::chrono::seconds(30)));
  run.send(6);
  f.wait_for(consumed, run.sent);

  auto bravo = run.start("bravo", extra);
  BOOST_REQUIRE_MESSAGE(test::all_own_partitions({run.log_of("alpha"), run.log_of("bravo")}),
                        "the nodes did not share the partitions; see " << run.log_of("alpha"));
  auto revoked = test::last_line_with(run.log_of("alpha"), "kafka_source revoked");
  BOOST_TEST(field(revoked, "users_moved") == "0", revoked);
  auto assigned = test::last_line_with(run.log_of("bravo"), "kafka_source assigned");
  BOOST_TEST(field(assigned, "awaiting") == field(assigned, "partitions"), assigned);
  BOOST_TEST(test::eventually(
    [&] {
      return !test::last_line_with(run.log_of("bravo"), "kafka_source hand-over received").empty();
    },
    std::chrono::seconds(30)));
  auto handed = test::last_line_with(run.log_of("alpha"), "kafka_source handed over");
  BOOST_TEST(field(handed, "partitions") == field(assigned, "partitions"), handed);
  BOOST_TEST(std::atoi(field(handed, "users").c_str()) > 0, handed);

  // alpha leaves at once, before any message of the partitions it kept:
  // it checkpoints their profiles under the claim it made last.
  alpha->signal(SIGTERM);
  BOOST_TEST(alpha->wait_exit(std::chrono::seconds(60)) == 0, "see " << run.log_of("alpha"));
  BOOST_TEST(test::occurrences(run.log_of("alpha"), "claimed by another node") == 0);
  run.send(6);
  f.wait_for(consumed, run.sent);
  bravo->signal(SIGTERM);
  BOOST_TEST(bravo->wait_exit(std::chrono::seconds(60)) == 0, "see " << run.log_of("bravo"));
  // Every user's model learnt every transaction it was sent: the moved ones
  // continued from what alpha had learnt.
  BOOST_TEST(f.count(consumed) == run.sent);
  BOOST_TEST(f.count("select count(*) from user_profiles") == run.people.users());
  BOOST_TEST(f.count("select count(*) from user_profiles where history_size <> " +
                     std::to_string(run.sent / run.people.users())) == 0);
  BOOST_TEST(f.count("select count(*) from kafka_offsets where handover_from is not null") == 0);
}

// A node killed in the middle of a hand-over is not waited for: the new
// owner sees that it no longer holds its node lock, clears its marks and
// reads the partitions, its users restored from older checkpoints. Before,
// it would have waited kafka.handover_timeout_ms (two minutes).
BOOST_AUTO_TEST_CASE(a_node_killed_in_the_middle_of_a_hand_over_is_not_waited_for) {
  nodes_on_a_topic run("rtad_rebalance_killed", 43);
  auto& f = run.f;
  const std::string consumed = "select coalesce(sum(next_offset), 0) from kafka_offsets";
  // Checkpoints wait as long as the lock on user_profiles below.
  const std::vector<std::string> extra{"--set", "sink.store_all=false", "--set",
                                       "pg.statement_timeout_ms=0"};
  auto alpha = run.start("alpha", extra);
  BOOST_REQUIRE(test::eventually([&] { return test::owns_partitions(run.log_of("alpha")); },
                                 std::chrono::seconds(30)));
  run.send(6);
  f.wait_for(consumed, run.sent);

  std::unique_ptr<test::child> bravo;
  {
    pqxx::connection blocker(f.db.url());
    pqxx::work hold(blocker);
    hold.exec("lock table user_profiles in access exclusive mode");
    bravo = run.start("bravo", extra);
    BOOST_REQUIRE(test::eventually(
      [&] {
        auto line = test::last_line_with(run.log_of("bravo"), "kafka_source assigned");
        return !field(line, "awaiting").empty();
      },
      std::chrono::seconds(60)));
    std::this_thread::sleep_for(std::chrono::seconds(1)); // alpha's checkpoints wait on the lock
    alpha->signal(SIGKILL);
    alpha->wait_exit(std::chrono::seconds(10));
    // A backend notices its client is gone when it next reads from it; one
    // waiting on a lock does not, and keeps the kafka_offsets rows its
    // transaction read FOR SHARE. Ended here as it would be once the wait
    // ended (pg.statement_timeout_ms): the lock stands in for a slow write.
    pqxx::connection admin(f.db.url());
    pqxx::nontransaction(admin).exec(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database()"
      " and wait_event_type = 'Lock' and pid <> pg_backend_pid()");
    BOOST_TEST(test::eventually(
      [&] {
        return !test::last_line_with(run.log_of("bravo"), "stopped waiting for a hand-over")
                  .empty();
      },
      std::chrono::seconds(20)));
    auto line = test::last_line_with(run.log_of("bravo"), "stopped waiting for a hand-over");
    BOOST_TEST(field(line, "reason") == "node", line); // "node gone"
    hold.commit();
  }
  run.send(2);
  f.wait_for(consumed, run.sent);
  bravo->signal(SIGTERM);
  BOOST_TEST(bravo->wait_exit(std::chrono::seconds(60)) == 0, "see " << run.log_of("bravo"));
  BOOST_TEST(f.count("select count(*) from kafka_offsets where handover_from is not null") == 0);
}
