#define BOOST_TEST_MODULE unkeyed input keeps each user on one node
// The original system's producer sends no key, so one user's messages land
// on every partition and, with several nodes, on every node: each built its
// own partial profile of the same user. The repartition stage (default,
// kafka.input_key = auto) re-keys them by user into the by-user topic in
// Kafka transactions; the profiles read that. Before it, the two nodes
// below scored most users both.
#include "actors/detail/by_user_ordinals.hpp"
#include "actors/detail/system_config.hpp"
#include "actors/node.hpp"
#include "support/cli.hpp"
#include "support/cluster.hpp"
#include "support/node_fixture.hpp"
#include "support/process.hpp"
#include "support/stream.hpp"

#include <atomic>
#include <caf/all.hpp>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

using namespace rtad;
using test::wall_clock;

namespace {

/// Every one of `total` transactions stored once. (The by-user topic holds
/// the transactions' commit markers too, so its offsets are no count.)
void expect_stored_once(const test::node_fixture& f, long long total) {
  BOOST_TEST(f.count("select count(*) from transactions") == total);
  BOOST_TEST(f.count("select count(distinct transaction_id) from transactions") == total);
  BOOST_TEST(f.count("select count(*) from frauds") ==
             f.count("select count(*) from transactions where is_anomaly"));
}

/// Nothing good was set aside; names the reasons otherwise.
void expect_nothing_quarantined(const test::node_fixture& f) {
  pqxx::connection c(f.db.url());
  pqxx::read_transaction r(c);
  for (const auto& row : r.exec("select reason, count(*) from quarantine group by reason"))
    BOOST_ERROR(row[1].as<long long>() << " quarantined: " << row[0].c_str());
}

/// Transactions stored after a later one of their user, in the by-user
/// topic's order (the order its profile saw them).
long long stored_after_a_later_one(const test::node_fixture& f) {
  return f.count("select count(*) from (select timestamp, lag(timestamp) over (partition by"
                 " user_id order by kafka_partition, kafka_offset) as previous"
                 " from transactions) t where timestamp < previous");
}

/// One transaction of each user, without keys as the original producer
/// sends them; how many were sent.
long long send_round_unkeyed(test::producer& p, const std::string& topic,
                             test::population& people) {
  long long sent = 0;
  for (const auto& t : people.round()) {
    p.send_unkeyed(topic, encode_transaction(t));
    ++sent;
  }
  return sent;
}

/// PR-AUC of what `rtad eval ARGS` judges.
double pr_auc_of(const std::string& args) {
  auto judged = test::run_rtad("eval --json " + args);
  BOOST_REQUIRE_MESSAGE(judged.status == 0, judged.output);
  return nlohmann::json::parse(judged.output).at("overall").at("pr_auc").get<double>();
}

/// PR-AUC of `stream` scored as by one node reading it keyed by user from
/// `partitions` partitions (rtad_replay stores what such a node stores).
double one_node_pr_auc(const std::string& stream, int partitions) {
  const auto scores = stream + ".scores.csv";
  auto cmd = std::string(RTAD_REPLAY) + " " + stream + " --partitions " +
             std::to_string(partitions) + " --out " + scores + " 2>&1";
  BOOST_REQUIRE(std::system(cmd.c_str()) == 0);
  auto auc = pr_auc_of("--truth " + stream + " --scores " + scores);
  std::remove(scores.c_str());
  return auc;
}

/// Each by-user partition's messages numbered 0, 1, 2, ... in their order,
/// each number once (by_user_ordinals.hpp), `total` messages in all.
void expect_numbered_in_order(const test::node_fixture& f, long long total) {
  const int partitions = 4;
  std::vector<std::int64_t> next(partitions, 0);
  long long wrong = 0;
  auto by_user = test::read_topic(f.settings.kafka.bootstrap, f.topic + ".by-user", total);
  for (const auto& m : by_user) {
    auto p = kafka_partition(m.key, partitions);
    auto h = m.headers.find(ordinal_header);
    wrong += h == m.headers.end() || h->second != std::to_string(next[p]++);
  }
  BOOST_TEST(static_cast<long long>(by_user.size()) == total);
  BOOST_TEST(wrong == 0);
}

long long users_scored_by_several_nodes(const test::node_fixture& f) {
  return f.count("select count(*) from (select user_id from transactions group by user_id"
                 " having count(distinct node) > 1) u");
}

} // namespace

BOOST_AUTO_TEST_CASE(unkeyed_messages_are_rekeyed_once_and_poison_still_quarantined) {
  test::node_fixture f("rtad_rekey", 3);
  f.settings.kafka.key = config::input_key::check;
  test::population people(20, 5, wall_clock() - 7 * 86400);
  test::producer p(f.settings.kafka.bootstrap);
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  long long sent = 0;
  for (int r = 0; r < 5; ++r)
    sent += send_round_unkeyed(p, f.topic, people);
  // Keyed by user already: handed on, not counted as re-keyed.
  for (const auto& t : people.round()) {
    p.send(f.topic, t.user_id, encode_transaction(t));
    ++sent;
  }
  p.send_unkeyed(f.topic, R"({"transaction_id": "bad", "user_id": 7})");
  p.flush();
  f.wait_for("select count(*) from transactions", sent);
  f.wait_for("select count(*) from quarantine", 1, std::chrono::seconds(20));
  BOOST_TEST(n.stop(std::chrono::seconds(30)));
  expect_stored_once(f, sent);
  // Quarantined under the name of the message its producer sent.
  BOOST_TEST(f.count("select count(*) from quarantine where raw like '%\"bad\"%' and topic = '" +
                     f.topic + "'") == 1);
  BOOST_TEST(n.metrics()->repartitioned.load() == static_cast<std::uint64_t>(sent + 1));
  BOOST_TEST(n.metrics()->rekeyed.load() == static_cast<std::uint64_t>(sent - people.users()));
  // The profiles read the by-user topic; the input's offsets are the
  // repartition group's, in Kafka.
  BOOST_TEST(f.count("select count(*) from kafka_offsets where topic = '" + f.topic + "'") == 0);
  BOOST_TEST(
    f.count("select count(*) from kafka_offsets where topic = '" + f.topic + ".by-user'") == 3);
}

// kafka.input_key = user trusts the keys; a producer that does not key by
// user would have each node score its share of a user's transactions, so
// the node says so rather than let it pass silently.
BOOST_AUTO_TEST_CASE(input_read_directly_counts_messages_not_keyed_by_their_user) {
  test::node_fixture f("rtad_keys", 2);
  f.settings.kafka.key = config::input_key::user;
  test::population people(10, 9, wall_clock() - 7 * 86400);
  test::producer p(f.settings.kafka.bootstrap);
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  long long sent = 0, not_by_user = 0;
  for (const auto& t : people.round()) {
    p.send(f.topic, t.user_id, encode_transaction(t));
    ++sent;
  }
  const auto unkeyed = send_round_unkeyed(p, f.topic, people);
  sent += unkeyed, not_by_user += unkeyed;
  for (const auto& t : people.round()) {
    p.send(f.topic, "account-" + t.user_id, encode_transaction(t));
    ++sent, ++not_by_user;
  }
  p.flush();
  f.wait_for("select count(*) from transactions", sent);
  BOOST_TEST(n.stop(std::chrono::seconds(30)));
  BOOST_TEST(n.metrics()->not_keyed_by_user.load() == static_cast<std::uint64_t>(not_by_user));
  BOOST_TEST(n.metrics()->repartitioned.load() == 0u);
}

BOOST_AUTO_TEST_CASE(two_nodes_reading_unkeyed_input_score_each_user_on_one_node_through_kill_9) {
  test::node_fixture f("rtad_unkeyed", 4);
  f.settings.kafka.key = config::input_key::check;
  test::population people(60, 31, wall_clock() - 7 * 86400);
  auto log_of = [&](const std::string& name) { return "/tmp/" + f.topic + "-" + name + ".log"; };
  std::map<std::string, std::unique_ptr<test::child>> nodes;
  for (const auto* name : {"alpha", "bravo"})
    nodes[name] = std::make_unique<test::child>(test::node_args(f.settings, name), log_of(name));
  BOOST_REQUIRE_MESSAGE(test::all_own_partitions({log_of("alpha"), log_of("bravo")}),
                        "the nodes did not share the partitions; see " << log_of("alpha"));
  test::producer p(f.settings.kafka.bootstrap);
  long long sent = 0;
  auto send_rounds = [&](int rounds) {
    for (int r = 0; r < rounds; ++r) {
      sent += send_round_unkeyed(p, f.topic, people);
      p.flush();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  };
  send_rounds(20);
  f.wait_for("select (select count(*) from transactions) + (select count(*) from quarantine)",
             sent);
  expect_nothing_quarantined(f);
  // Both nodes worked, and no user was scored by both.
  BOOST_TEST(f.count("select count(*) from transactions where node = 'alpha'") > 0);
  BOOST_TEST(f.count("select count(*) from transactions where node = 'bravo'") > 0);
  BOOST_TEST(users_scored_by_several_nodes(f) == 0);

  // The lease's holder dies in the middle of the stream, both of its
  // stages with it; the other numbers the by-user messages on.
  const bool alpha_leads =
    test::last_line_with(log_of("alpha"), " lease=").find("lease=yes") != std::string::npos;
  const std::string victim = alpha_leads ? "alpha" : "bravo",
                    survivor = alpha_leads ? "bravo" : "alpha";
  std::thread more([&] { send_rounds(30); });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  nodes[victim]->signal(SIGKILL);
  BOOST_TEST(nodes[victim]->wait_exit(std::chrono::seconds(10)) == -SIGKILL);
  more.join();
  f.wait_for("select (select count(*) from transactions) + (select count(*) from quarantine)", sent,
             std::chrono::seconds(120));
  expect_nothing_quarantined(f);
  nodes[survivor]->signal(SIGTERM);
  BOOST_TEST(nodes[survivor]->wait_exit(std::chrono::seconds(60)) == 0, "see " << log_of(survivor));
  expect_stored_once(f, sent);
  expect_numbered_in_order(f, sent);
  BOOST_TEST_MESSAGE("node logs in /tmp/" << f.topic << "-*.log");
}

// A producer that spread its backlog over the partitions in runs (as
// librdkafka's sticky partitioner does) and sent the later runs first: read
// partition by partition, or by the Kafka timestamps, or by two nodes each
// passing on its own partitions at its own pace, users' transactions come
// out of order, and every feature that follows time (gaps, velocity,
// travel) is scrambled.
BOOST_AUTO_TEST_CASE(two_nodes_pass_each_users_transactions_on_in_their_order) {
  test::node_fixture f("rtad_unkeyed_order", 4);
  f.settings.kafka.key = config::input_key::check;
  test::population people(60, 37, wall_clock() - 7 * 86400);
  constexpr int rounds = 40;
  std::vector<std::vector<transaction>> by_partition(4);
  for (int r = 0; r < rounds; ++r)
    for (auto& t : people.round())
      by_partition[r * 4 / rounds].push_back(std::move(t));
  test::producer p(f.settings.kafka.bootstrap);
  for (int partition = 3; partition >= 0; --partition)
    for (const auto& t : by_partition[partition])
      p.send_to(f.topic, partition, encode_transaction(t));
  p.flush();
  const long long sent = rounds * people.users();
  auto log_of = [&](const std::string& name) { return "/tmp/" + f.topic + "-" + name + ".log"; };
  std::map<std::string, std::unique_ptr<test::child>> nodes;
  for (const auto* name : {"alpha", "bravo"})
    nodes[name] = std::make_unique<test::child>(test::node_args(f.settings, name), log_of(name));
  f.wait_for("select (select count(*) from transactions) + (select count(*) from quarantine)", sent,
             std::chrono::seconds(120));
  for (auto& [name, node] : nodes) {
    node->signal(SIGTERM);
    BOOST_TEST(node->wait_exit(std::chrono::seconds(60)) == 0, name << ": see " << log_of(name));
  }
  expect_nothing_quarantined(f);
  expect_stored_once(f, sent);
  BOOST_TEST(stored_after_a_later_one(f) == 0);
  BOOST_TEST_MESSAGE("node logs in /tmp/" << f.topic << "-*.log");
}

BOOST_AUTO_TEST_CASE(a_history_replayed_while_two_nodes_read_keeps_each_users_order) {
  // A producer replaying a history (months old) unkeyed while the
  // repartition stage reads along reaches the end of one partition while
  // its next batch for it, earlier in event time than what the others
  // hold, is still on its way. Declared at its end at once, the merge let
  // later transactions pass earlier ones: 334 and 586 of 60,000 in two of
  // four such runs (PR-AUC 0.70 and 0.78 instead of 0.85-0.88). Not every
  // run shows it: it takes a busy machine, as two nodes make one.
  const std::string stream = "/tmp/" + test::unique_name("rtad_replay_order") + ".jsonl";
  auto made = test::run_rtad("produce --count 60000 --users 1000 --fraud 0.01 --seed 5"
                             " --start 2026-01-01T00:00:00 -q --out " +
                             stream);
  BOOST_REQUIRE_MESSAGE(made.status == 0, made.output);
  test::node_fixture f("rtad_replay_order", 4);
  f.settings.kafka.key = config::input_key::check;
  auto log_of = [&](const std::string& name) { return "/tmp/" + f.topic + "-" + name + ".log"; };
  std::map<std::string, std::unique_ptr<test::child>> nodes;
  for (const auto* name : {"alpha", "bravo"})
    nodes[name] = std::make_unique<test::child>(test::node_args(f.settings, name), log_of(name));
  BOOST_REQUIRE(test::all_own_partitions({log_of("alpha"), log_of("bravo")}));
  // And the repartition stage settled: one node holds the lease, the other not.
  // (Only the repartition stage's assigned and revoked lines name the lease.)
  BOOST_REQUIRE(test::eventually(
    [&] {
      auto a = test::last_line_with(log_of("alpha"), " lease="),
           b = test::last_line_with(log_of("bravo"), " lease=");
      auto assigned = [](const std::string& l) {
        return l.find(" assigned ") != std::string::npos;
      };
      auto leased = [](const std::string& l) { return l.find("lease=yes") != std::string::npos; };
      return assigned(a) && assigned(b) && leased(a) != leased(b);
    },
    std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  auto sent = test::run_rtad("--set kafka.bootstrap=" + f.settings.kafka.bootstrap +
                             " produce -q --no-key --replay " + stream + " --topic " + f.topic);
  BOOST_REQUIRE_MESSAGE(sent.status == 0, sent.output);
  f.wait_for("select count(*) from transactions", 60000, std::chrono::seconds(240));
  for (auto& [name, node] : nodes) {
    node->signal(SIGTERM);
    BOOST_TEST(node->wait_exit(std::chrono::seconds(60)) == 0, name << ": see " << log_of(name));
  }
  expect_stored_once(f, 60000);
  BOOST_TEST(users_scored_by_several_nodes(f) == 0);
  // A few still pass, probably at the start (README, Not there yet): 0 to
  // 28 in six runs with the merge's wait at 1 s, 273 once at 200 ms inside
  // the full test suite; the bound still catches the runs before the EOF
  // rule (334 and 586).
  const auto passed = stored_after_a_later_one(f);
  BOOST_TEST_MESSAGE(passed << " transactions stored after a later one of their user");
  BOOST_TEST(passed <= 150);
  // And detection as one node's (issue 16). Before the repartition stage,
  // two nodes on unkeyed input ranked at 0.445 where one node ranked 0.656.
  const auto two_nodes = pr_auc_of("--truth " + stream + " --pg " + f.db.url());
  const auto one_node = one_node_pr_auc(stream, 4);
  BOOST_TEST_MESSAGE("PR-AUC: two nodes, unkeyed " << two_nodes << "; one node, keyed "
                                                   << one_node);
  BOOST_TEST(std::abs(two_nodes - one_node) <= 0.03);
  std::remove(stream.c_str());
}

// One message stamped far ahead of the history around it (a poison
// message an hour old in a replayed week, a producer with a skewed clock)
// at the head of a partition. The merge went by each partition's first
// message, so the partition waited behind it until the others ran dry:
// in a fault campaign, 17 minutes under steady traffic; here, a stretch of
// partition 1 came after partition 0 ran dry, one transaction of each of
// the 201 users out of its order.
BOOST_AUTO_TEST_CASE(a_message_stamped_ahead_of_its_partition_holds_it_back_no_longer) {
  test::node_fixture f("rtad_ahead", 2);
  f.settings.kafka.key = config::input_key::check;
  test::population people(201, 3, wall_clock() - 7 * 86400); // odd: each user on both partitions
  test::producer p(f.settings.kafka.bootstrap);
  auto ahead = people.normal(0);
  ahead.user_id = "user-ahead";
  ahead.transaction_id = "ahead";
  ahead.timestamp = wall_clock() - 3600;
  p.send_to(f.topic, 1, encode_transaction(ahead));
  long long sent = 1;
  for (int r = 0; r < 20; ++r)
    for (const auto& t : people.round())
      p.send_to(f.topic, static_cast<std::int32_t>(sent++ % 2), encode_transaction(t));
  p.flush();
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  f.wait_for("select count(*) from transactions", sent, std::chrono::seconds(60));
  BOOST_TEST(n.stop(std::chrono::seconds(30)));
  expect_stored_once(f, sent);
  BOOST_TEST(stored_after_a_later_one(f) == 0);
}

BOOST_AUTO_TEST_CASE(a_by_user_partition_at_its_end_holds_no_epoch_back) {
  // The by-user topic is written in Kafka transactions, so each partition's
  // end lies past a commit marker, an offset no message has. Taken for the
  // end, it was never stored: the partition that rested there held every
  // epoch back, and what the other partition read waited the epoch wait,
  // then was scored with whatever model was newest (two nodes on a burst
  // of 60,000 unkeyed transactions: up to 39,000 so, PR-AUC 0.35 instead
  // of 0.89).
  test::node_fixture f("rtad_marker_end", 2);
  f.settings.kafka.key = config::input_key::none;
  test::population people(40, 9, wall_clock() - 7 * 86400);
  test::producer p(f.settings.kafka.bootstrap);
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  long long sent = 0;
  for (int r = 0; r < 5; ++r) // both by-user partitions, then both at their end
    sent += send_round_unkeyed(p, f.topic, people);
  p.flush();
  f.wait_for("select count(*) from transactions", sent);
  // One user alone: their partition goes on for epochs, the other rests.
  for (int i = 0; i < 400; ++i) {
    p.send_unkeyed(f.topic, encode_transaction(people.normal(0)));
    ++sent;
  }
  p.flush();
  f.wait_for("select count(*) from transactions", sent);
  BOOST_TEST(n.metrics()->epoch_waits_expired.load() == 0u);
  BOOST_TEST(n.stop(std::chrono::seconds(30)));
  expect_stored_once(f, sent);
}

BOOST_AUTO_TEST_CASE(a_node_stopped_past_the_session_timeout_wakes_up_fenced_in_both_stages) {
  test::node_fixture f("rtad_unkeyed_stop", 4);
  f.settings.kafka.key = config::input_key::check;
  test::record_checkpoint_history(f);
  test::population people(40, 41, wall_clock() - 7 * 86400);
  // Frequent refits and checkpoints, so a version going back would show.
  const std::vector<std::string> extra{"--set", "model.refit_every=8", "--set",
                                       "node.passivate_after_s=2"};
  auto log_of = [&](const std::string& name) { return "/tmp/" + f.topic + "-" + name + ".log"; };
  std::map<std::string, std::unique_ptr<test::child>> nodes;
  for (const auto* name : {"alpha", "bravo"})
    nodes[name] =
      std::make_unique<test::child>(test::node_args(f.settings, name, extra), log_of(name));
  BOOST_REQUIRE(test::all_own_partitions({log_of("alpha"), log_of("bravo")}));
  test::producer p(f.settings.kafka.bootstrap);
  std::atomic<long long> sent{0};
  std::thread producer([&] {
    for (int r = 0; r < 60; ++r) {
      sent += send_round_unkeyed(p, f.topic, people);
      p.flush();
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(4));
  // Past the session timeout (6 s): alpha takes over both stages' partitions
  // while bravo holds read messages, an open transaction and unstored rows.
  nodes["bravo"]->signal(SIGSTOP);
  std::this_thread::sleep_for(std::chrono::seconds(12));
  nodes["bravo"]->signal(SIGCONT);
  producer.join();
  f.wait_for("select count(*) from transactions", sent, std::chrono::seconds(120));
  for (auto& [name, node] : nodes) {
    node->signal(SIGTERM);
    BOOST_TEST(node->wait_exit(std::chrono::seconds(60)) == 0, name << ": see " << log_of(name));
  }
  expect_stored_once(f, sent);
  // Its late checkpoints did not take any profile back in model_version.
  BOOST_TEST(f.count("select count(*) from (select model_version, lag(model_version) over"
                     " (partition by user_id order by id) as before from profile_history) h"
                     " where model_version < before") == 0);
  BOOST_TEST(f.count("select count(*) from profile_history") > 0);
  BOOST_TEST_MESSAGE("node logs in /tmp/" << f.topic << "-*.log");
}
