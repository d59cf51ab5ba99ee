#define BOOST_TEST_MODULE fencing a node that lost its partitions
// A node stopped (SIGSTOP), cut off from the broker or evicted loses its
// partitions without noticing; when it wakes up, its sink still holds their
// rows, and its revocation drains them. Each assignment claims the
// partition in kafka_offsets (node, owner_epoch one higher), and every sink
// transaction checks its claim with the row locked: the woken node writes
// nothing more for a partition claimed since. Here the other node's claim
// is made by hand (the fault injected), then this node keeps reading as a
// woken one would. Before, it stored the rows with its own verdicts and
// moved the offsets on.
#include "actors/detail/system_config.hpp"
#include "actors/node.hpp"
#include "support/node_fixture.hpp"
#include "support/stream.hpp"

#include <caf/all.hpp>
#include <thread>

using namespace rtad;
using test::wall_clock;

BOOST_AUTO_TEST_CASE(a_node_writes_nothing_more_for_partitions_another_node_claimed) {
  test::node_fixture f("rtad_fence", 2);
  test::population people(30, 3, wall_clock() - 86400);
  test::producer p(f.settings.kafka.bootstrap);
  long long first = 0, second = 0;
  {
    rtad_system_config cfg;
    caf::actor_system sys{cfg};
    node n(sys, f.settings);
    first = f.send_rounds(p, people, 2);
    f.wait_for("select count(*) from transactions", first);
    BOOST_TEST(f.count("select count(*) from kafka_offsets where node = 'rtad_fence'"
                       " and owner_epoch = 1") == 2);
    {
      pqxx::connection c(f.db.url());
      pqxx::work w(c);
      w.exec("update kafka_offsets set node = 'another', owner_epoch = owner_epoch + 1");
      w.commit();
    }
    second = f.send_rounds(p, people);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (n.metrics()->fenced.load() < static_cast<std::uint64_t>(second) &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    BOOST_TEST(n.metrics()->fenced.load() == static_cast<std::uint64_t>(second));
    BOOST_TEST(f.count("select count(*) from transactions") == first);
    BOOST_TEST(f.count("select sum(next_offset) from kafka_offsets") == first);
    BOOST_TEST(n.stop(std::chrono::seconds(30)));
  }
  // Nor did its profiles' checkpoints, learnt from rows it did not store,
  // replace what the new owner will learn from.
  BOOST_TEST(f.count("select count(*) from user_profiles where learned_offset >= 0 and"
                     " learned_offset >= (select next_offset from kafka_offsets o"
                     " where o.kafka_partition = user_profiles.learned_partition)") == 0);
  BOOST_TEST(f.count("select count(*) from kafka_offsets where node <> 'another'") == 0);
  // The next owner claims the partitions and stores what was left, once.
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node next(sys, f.settings);
  f.wait_for("select count(*) from transactions", first + second);
  BOOST_TEST(next.stop(std::chrono::seconds(30)));
  f.expect_exactly_once(first + second);
  BOOST_TEST(f.count("select count(*) from kafka_offsets where owner_epoch = 3") == 2);
}
