#define BOOST_TEST_MODULE several nodes share a stream
#include "support/cluster.hpp"
#include "support/node_fixture.hpp"
#include "support/process.hpp"
#include "support/stream.hpp"

#include <atomic>
#include <memory>

using namespace rtad;

BOOST_AUTO_TEST_CASE(nodes_killed_and_joining_mid_stream_lose_and_double_nothing) {
  test::node_fixture f("rtad_cluster", 6);
  test::record_checkpoint_history(f);
  test::population people(40, 23);
  // Frequent refits, so a model version that restarts from zero shows; a
  // small window, so a restore replays at most 2 x 32 stored transactions: a
  // user with more history can only keep its version through its checkpoint.
  const std::vector<std::string> extra{
    "--set", "model.refit_every=8",       "--set", "model.window=32",
    "--set", "model.user_sample_size=32", "--set", "model.min_history=16"};
  auto log_of = [&](const std::string& name) { return "/tmp/" + f.topic + "-" + name + ".log"; };
  std::map<std::string, std::unique_ptr<test::child>> nodes;
  auto start = [&](const std::string& name) {
    nodes[name] =
      std::make_unique<test::child>(test::node_args(f.settings, name, extra), log_of(name));
  };
  for (const auto* name : {"alpha", "bravo", "charlie"})
    start(name);
  // All three own partitions before the stream starts.
  BOOST_REQUIRE_MESSAGE(
    test::all_own_partitions({log_of("alpha"), log_of("bravo"), log_of("charlie")}),
    "the three nodes did not share the partitions; see " << log_of("alpha"));

  std::atomic<long long> sent{0};
  std::atomic<int> round{0};
  constexpr int rounds = 120;
  std::thread producer([&] {
    test::producer p(f.settings.kafka.bootstrap);
    for (int r = 0; r < rounds; ++r) {
      for (const auto& t : people.round())
        p.send(f.topic, t.user_id, encode_transaction(t));
      sent += people.users();
      if (r >= 40 && r % 8 == 0) { // once the models know their users
        auto t = people.takeover(r % people.users());
        p.send(f.topic, t.user_id, encode_transaction(t));
        ++sent;
      }
      if (r % 5 == 4)
        p.flush();
      round = r + 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    p.flush();
  });
  // bravo dies mid-stream without a word; delta joins later.
  BOOST_REQUIRE(test::eventually([&] { return round >= 40; }, std::chrono::seconds(60)));
  BOOST_REQUIRE_MESSAGE(nodes["bravo"]->running(),
                        "bravo died on its own; see " << log_of("bravo"));
  nodes["bravo"]->signal(SIGKILL);
  BOOST_TEST(nodes["bravo"]->wait_exit(std::chrono::seconds(10)) == -SIGKILL);
  BOOST_REQUIRE(test::eventually([&] { return round >= 80; }, std::chrono::seconds(60)));
  start("delta");
  producer.join();
  const long long total = sent;
  f.wait_for("select count(*) from transactions", total, std::chrono::seconds(90));
  BOOST_TEST(test::owns_partitions(log_of("delta")), "delta never got partitions");
  for (const auto* name : {"alpha", "charlie", "delta"}) {
    nodes[name]->signal(SIGTERM);
    BOOST_TEST(nodes[name]->wait_exit(std::chrono::seconds(60)) == 0,
               name << ": see " << log_of(name));
  }

  // Every transaction exactly once, every offset behind the watermark, no
  // anomaly missing or doubled.
  f.expect_exactly_once(total);
  BOOST_TEST(f.count("select count(*) from frauds where ground_truth") >= 5);
  // Work was spread: every node but the late one stored rows before the kill.
  for (const auto* name : {"alpha", "bravo", "charlie", "delta"})
    BOOST_TEST(
      f.count(std::string("select count(*) from transactions where node = '") + name + "'") > 0,
      name << " stored nothing");
  // Users moved between nodes, and a moved user's model came from its
  // checkpoint: its version never went back, and it kept counting after.
  auto moved = f.count("select count(*) from (select user_id from profile_history"
                       " group by user_id having count(distinct node) > 1) m");
  BOOST_TEST(moved >= people.users() / 4, moved << " users moved");
  BOOST_TEST(f.count("select count(*) from (select model_version, lag(model_version) over"
                     " (partition by user_id order by id) as before from profile_history) h"
                     " where model_version < before") == 0);
  BOOST_TEST(f.count("select count(*) from (select user_id, node, model_version, lag(node) over w"
                     " as prev_node, lag(model_version) over w as prev_version"
                     " from profile_history window w as (partition by user_id order by id)) h"
                     " where prev_node is not null and node <> prev_node"
                     " and model_version < prev_version") == 0);
  BOOST_TEST(f.count("select min(model_version) from user_profiles") > 5);
  BOOST_TEST_MESSAGE(moved << " users moved; node logs in /tmp/" << f.topic << "-*.log");
}
