#define BOOST_TEST_MODULE the anomalies and quarantine topics
// Downstream systems (case management, blocking, alerting) read anomalies
// from Kafka: every anomaly PostgreSQL stored reaches output.anomalies_topic
// at least once, keyed by its user, also when it was stored by a node that
// died before publishing it. Quarantined messages likewise reach
// output.quarantine_topic (off by default), as they came, with the reason.
#include "actors/detail/kafka_topics.hpp"
#include "actors/detail/system_config.hpp"
#include "actors/node.hpp"
#include "messages/codec.hpp"
#include "support/node_fixture.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

using namespace rtad;

namespace {

/// The anomalies topic's messages by transaction id (a repeat fails the test
/// where `once` is asked for).
std::map<std::string, nlohmann::json>
by_transaction(const std::vector<test::read_message>& messages, bool once) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& m : messages) {
    auto j = nlohmann::json::parse(m.value);
    BOOST_TEST(m.key == j.at("user_id").get<std::string>());
    auto id = j.at("transaction_id").get<std::string>();
    BOOST_TEST((!once || out.count(id) == 0), "sent twice: " << id);
    out[id] = j;
  }
  return out;
}

/// A history to learn from (`rounds` per user), then `takeovers` account
/// takeovers; how many transactions that is.
long long send_history_and_frauds(const test::node_fixture& f, int users, int rounds,
                                  int takeovers) {
  test::producer p(f.settings.kafka.bootstrap);
  test::population people(users);
  long long sent = f.send_rounds(p, people, rounds);
  for (int r = 0; r < takeovers; ++r) {
    sent += f.send_rounds(p, people);
    auto t = people.takeover(r * users / takeovers);
    p.send(f.topic, t.user_id, encode_transaction(t));
    ++sent;
  }
  p.flush();
  return sent;
}

long long outbox(const test::node_fixture& f) {
  return f.count("select count(*) from anomaly_outbox");
}

} // namespace

BOOST_AUTO_TEST_CASE(every_stored_anomaly_reaches_the_topic_keyed_by_its_user_with_its_verdict) {
  test::node_fixture f("rtad_anomalies_topic");
  const auto sent = send_history_and_frauds(f, 40, 50, 8);
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  f.wait_for("select count(*) from transactions", sent);
  const auto stored = f.count("select count(*) from frauds");
  BOOST_REQUIRE(stored >= 8);
  BOOST_REQUIRE(test::eventually([&] { return outbox(f) == 0; }, std::chrono::seconds(30)));
  BOOST_TEST(n.metrics()->anomaly_outbox.published.load() == static_cast<std::uint64_t>(stored));
  BOOST_TEST(n.stop(std::chrono::seconds(60)));

  auto got = by_transaction(test::read_topic(f.settings.kafka.bootstrap, f.topic + ".anomalies",
                                             static_cast<std::size_t>(stored)),
                            true);
  BOOST_TEST(static_cast<long long>(got.size()) == stored);
  pqxx::connection c(f.db.url());
  pqxx::read_transaction r(c);
  for (const auto& row :
       r.exec("select transaction_id, user_id, detection_score, threshold, risk_level, model_used,"
              " explanation, amount::float8 from frauds")) {
    auto id = row[0].as<std::string>();
    BOOST_REQUIRE_MESSAGE(got.count(id), "not on the topic: " << id);
    const auto& j = got[id];
    BOOST_TEST(j.at("user_id").get<std::string>() == row[1].as<std::string>());
    BOOST_TEST(j.at("score").get<double>() == row[2].as<double>());
    BOOST_TEST(j.at("threshold").get<double>() == row[3].as<double>());
    BOOST_TEST(j.at("risk_level").get<std::string>() == row[4].as<std::string>());
    BOOST_TEST(j.at("model").get<std::string>() == row[5].as<std::string>());
    BOOST_TEST(j.at("explanation").get<std::string>() == row[6].as<std::string>());
    BOOST_TEST(j.at("amount").get<double>() == row[7].as<double>());
    BOOST_TEST(j.at("detection_time").is_string());
    BOOST_TEST(j.at("features").is_object());
  }
}

BOOST_AUTO_TEST_CASE(anomalies_a_dead_node_stored_but_never_published_are_published_by_the_next) {
  test::node_fixture f("rtad_anomalies_orphans");
  {
    // What a node killed between its sink's commit and its publisher's
    // round leaves: stored anomalies, queued. And one queued entry whose
    // anomaly is gone (`rtad db reset` empties frauds alone).
    pqxx::connection c(f.db.url());
    pqxx::work w(c);
    for (int i = 0; i < 3; ++i)
      w.exec("insert into frauds (transaction_id, user_id, amount, currency, location, timestamp,"
             " transaction_type, detection_score, risk_level, model_used, threshold, explanation)"
             " values ('left-" +
             std::to_string(i) + "', 'user-" + std::to_string(i) +
             "', 950.5, 'USD', 'US', now(), 'purchase', 0.9991, 'high', 'global', 0.998,"
             " 'amount 950.50 vs usual 10-60')");
    w.exec("insert into anomaly_outbox (transaction_id) values ('left-0'), ('left-1'),"
           " ('left-2'), ('gone')");
    w.commit();
  }
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  BOOST_REQUIRE(test::eventually([&] { return outbox(f) == 0; }, std::chrono::seconds(30)));
  BOOST_TEST(n.stop(std::chrono::seconds(60)));
  auto got =
    by_transaction(test::read_topic(f.settings.kafka.bootstrap, f.topic + ".anomalies", 3), true);
  BOOST_TEST(got.size() == 3u);
  for (int i = 0; i < 3; ++i) {
    auto id = "left-" + std::to_string(i);
    BOOST_REQUIRE(got.count(id));
    BOOST_TEST(got[id].at("risk_level").get<std::string>() == "high");
    BOOST_TEST(got[id].at("amount").get<double>() == 950.5);
    BOOST_TEST(got[id].at("detection_time").get<std::string>().find("+00:00") !=
               std::string::npos); // ISO 8601 in UTC, whatever the server's zone
  }
}

BOOST_AUTO_TEST_CASE(an_empty_anomalies_topic_publishes_and_queues_nothing) {
  test::node_fixture f("rtad_anomalies_off");
  f.settings.output.anomalies_topic = "";
  const auto sent = send_history_and_frauds(f, 40, 50, 8);
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  f.wait_for("select count(*) from transactions", sent);
  BOOST_TEST(n.stop(std::chrono::seconds(60)));
  BOOST_TEST(f.count("select count(*) from frauds") > 0);
  BOOST_TEST(outbox(f) == 0);
  BOOST_TEST(topic_partitions(f.settings.kafka.bootstrap, {}, f.topic + ".anomalies", 10000) == 0);
}

BOOST_AUTO_TEST_CASE(quarantined_messages_reach_the_quarantine_topic_as_they_came_with_the_reason) {
  test::node_fixture f("rtad_quarantine_topic", 2);
  f.settings.output.quarantine_topic = "{topic}.dlq";
  const std::vector<std::pair<std::string, std::string>> poison{
    {"user-1", "{this is not json"},
    {"user-2", R"({"transaction_id": "x", "user_id": 2, "amount": -5})"},
    {"user-3", std::string("{\"transaction_id\": \"n\", \"user_id\": \"u\0x\"}", 40)}};
  {
    test::producer p(f.settings.kafka.bootstrap);
    for (const auto& [key, value] : poison)
      p.send(f.topic, key, value);
    p.flush();
  }
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  f.wait_for("select count(*) from quarantine", 3);
  BOOST_REQUIRE(
    test::eventually([&] { return f.count("select count(*) from quarantine_outbox") == 0; },
                     std::chrono::seconds(30)));
  BOOST_TEST(n.metrics()->quarantine_outbox.published.load() == 3u);
  BOOST_TEST(n.stop(std::chrono::seconds(60)));
  auto got = test::read_topic(f.settings.kafka.bootstrap, f.topic + ".dlq", 3);
  BOOST_REQUIRE(got.size() == 3u);
  pqxx::connection c(f.db.url());
  pqxx::read_transaction r(c);
  for (const auto& m : got) {
    auto sent =
      std::find_if(poison.begin(), poison.end(), [&](const auto& p) { return p.first == m.key; });
    BOOST_REQUIRE_MESSAGE(sent != poison.end(), "unknown key " << m.key);
    BOOST_TEST(m.value == sent->second); // byte for byte, NUL included
    auto origin = m.headers.at("rtad-origin");
    auto row = r.exec_params("select reason, kafka_partition || ' ' || kafka_offset || ' ' || topic"
                             " from quarantine where message_key = $1",
                             pqxx::binarystring(m.key));
    BOOST_REQUIRE(row.size() == 1u);
    BOOST_TEST(m.headers.at("rtad-reason") == row[0][0].as<std::string>());
    BOOST_TEST(origin == row[0][1].as<std::string>());
  }
}
