#define BOOST_TEST_MODULE node end to end
#include "actors/node.hpp"
#include "actors/system_config.hpp"
#include "support/node_fixture.hpp"
#include "support/stream.hpp"

#include <caf/all.hpp>

using namespace rtad;

BOOST_AUTO_TEST_CASE(labelled_transactions_through_kafka_come_out_scored_once_with_frauds_caught) {
  test::node_fixture f("rtad_node_e2e");
  test::producer p(f.settings.kafka.bootstrap);
  test::population people(60);
  // A normal history first, so the models have something to learn from.
  constexpr int warmup_rounds = 60;
  for (int r = 0; r < warmup_rounds; ++r)
    for (const auto& t : people.round())
      p.send(f.topic, t.user_id, encode_transaction(t));
  p.flush();
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  const long long warmup = warmup_rounds * people.users();
  f.wait_for("select count(*) from transactions", warmup);
  BOOST_REQUIRE(test::eventually([&] { return n.metrics()->global_model_version > 0; },
                                 std::chrono::seconds(10)));

  std::vector<std::string> frauds;
  long long sent = 0;
  for (int r = 0; r < 10; ++r) {
    for (const auto& t : people.round()) {
      p.send(f.topic, t.user_id, encode_transaction(t));
      ++sent;
    }
    auto t = people.takeover(r * 5);
    frauds.push_back(t.transaction_id);
    p.send(f.topic, t.user_id, encode_transaction(t));
    ++sent;
  }
  p.send(f.topic, "user-1", "{this is not json");
  p.send(f.topic, "user-2", R"({"transaction_id": "x", "user_id": 2, "amount": -5})");
  p.send(f.topic, "user-3", "");
  p.flush();
  f.wait_for("select count(*) from transactions", warmup + sent);
  f.wait_for("select count(*) from quarantine", 3);
  BOOST_TEST(n.stop(std::chrono::seconds(60)));

  BOOST_TEST(f.count("select count(*) from transactions") == warmup + sent);
  BOOST_TEST(f.count("select count(distinct transaction_id) from transactions") == warmup + sent);
  BOOST_TEST(f.count("select count(*) from frauds where ground_truth") ==
             static_cast<long long>(frauds.size()));
  auto false_alarms = f.count("select count(*) from frauds where not ground_truth");
  BOOST_TEST(false_alarms <= (warmup + sent) / 50, false_alarms << " false alarms");
  BOOST_TEST(f.count("select count(*) from frauds where ground_truth and risk_level = 'high'"
                     " and explanation like '%new country NG%'") >= 5);
  // Every message, good or bad, is behind the committed offsets.
  BOOST_TEST(f.count("select sum(next_offset) from kafka_offsets") == warmup + sent + 3);
  BOOST_TEST(f.count("select count(*) from quarantine where reason = 'not valid JSON'") == 2);
  BOOST_TEST(f.count("select count(*) from quarantine where reason like 'amount must be positive%'"
                     " or reason like 'missing field%'") == 1);
  // Profiles were checkpointed on the way out; the node said goodbye.
  BOOST_TEST(f.count("select count(*) from user_profiles where checkpoint is not null") ==
             people.users());
  BOOST_TEST(f.count("select count(*) from node_status where state = 'stopped'") == 1);
}
