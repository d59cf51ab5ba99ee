#define BOOST_TEST_MODULE node end to end
#include "actors/detail/system_config.hpp"
#include "actors/node.hpp"
#include "support/http_get.hpp"
#include "support/node_fixture.hpp"
#include "support/stream.hpp"

#include <caf/all.hpp>

using namespace rtad;
using test::http_get;

namespace {

/// The value of one sample of a Prometheus text page.
double sample(const std::string& page, const std::string& name) {
  auto at = page.find("\n" + name + "{");
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, name << " missing");
  auto space = page.find("} ", at);
  return std::stod(page.substr(space + 2));
}

/// The sum of every series of one metric (all its label values).
double sum_of(const std::string& page, const std::string& name) {
  double sum = 0;
  for (auto at = page.find("\n" + name + "{"); at != std::string::npos;
       at = page.find("\n" + name + "{", at + 1))
    sum += std::stod(page.substr(page.find("} ", at) + 2));
  return sum;
}

} // namespace

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
  f.settings.node.metrics_port = 0; // the node's own endpoint stays off; one on an ephemeral port:
  node n(sys, f.settings);
  metrics_http http("127.0.0.1", 0, "e2e", n.metrics(), [&] { return !n.failed(); });
  const long long warmup = warmup_rounds * people.users();
  f.wait_for("select count(*) from transactions", warmup);
  BOOST_TEST(http_get(http.port(), "/readyz").find("HTTP/1.1 200 OK") == 0u);
  BOOST_TEST(http_get(http.port(), "/healthz").find("HTTP/1.1 200 OK") == 0u);
  BOOST_TEST(http_get(http.port(), "/nope").find("404") != std::string::npos);
  auto before = http_get(http.port(), "/metrics");
  BOOST_TEST(sample(before, "rtad_transactions_scored_total") >= warmup);
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
  // The figures moved with the traffic.
  auto after = http_get(http.port(), "/metrics");
  BOOST_TEST(sample(after, "rtad_transactions_scored_total") >=
             sample(before, "rtad_transactions_scored_total") + static_cast<double>(sent));
  BOOST_TEST(sum_of(after, "rtad_anomalies_total") > sum_of(before, "rtad_anomalies_total"));
  BOOST_TEST(sum_of(after, "rtad_anomalies_total") ==
             static_cast<double>(n.metrics()->flagged.load()));
  BOOST_TEST(after.find("rtad_anomalies_total{node=\"e2e\",risk=\"high\"} ") != std::string::npos);
  BOOST_TEST(after.find("rtad_build_info{node=\"e2e\",version=\"") != std::string::npos);
  BOOST_TEST(sample(after, "rtad_quarantined_total") == 3);
  BOOST_TEST(sample(after, "rtad_sink_batches_total") > sample(before, "rtad_sink_batches_total"));
  // The histograms an operator alerts on are fed by the node itself: one
  // latency per stored row, one write time per batch, one scoring time per
  // scored transaction.
  auto grew = [&](const std::string& name) {
    return sample(after, name + "_count") - sample(before, name + "_count");
  };
  BOOST_TEST(grew("rtad_end_to_end_latency_seconds") >= static_cast<double>(sent));
  BOOST_TEST(grew("rtad_sink_write_seconds") > 0);
  BOOST_TEST(grew("rtad_scoring_seconds") >= static_cast<double>(sent));
  BOOST_TEST(sample(after, "rtad_active_profiles") == people.users());
  BOOST_TEST(n.stop(std::chrono::seconds(60)));
  BOOST_TEST(http_get(http.port(), "/readyz").find("503") != std::string::npos);

  BOOST_TEST(f.count("select count(*) from transactions") == warmup + sent);
  BOOST_TEST(f.count("select count(distinct transaction_id) from transactions") == warmup + sent);
  BOOST_TEST(f.count("select count(*) from frauds where ground_truth") ==
             static_cast<long long>(frauds.size()));
  auto false_alarms = f.count("select count(*) from frauds where not ground_truth");
  BOOST_TEST(false_alarms <= (warmup + sent) / 50, false_alarms << " false alarms");
  {
    pqxx::connection c(f.db.url());
    pqxx::read_transaction r(c);
    for (const auto& row : r.exec("select risk_level, detection_score, threshold, model_used,"
                                  " explanation from frauds where ground_truth"))
      BOOST_TEST_MESSAGE(row[0].c_str() << " " << row[1].c_str() << " > " << row[2].c_str() << " "
                                        << row[3].c_str() << ": " << row[4].c_str());
  }
  // Explained in the user's terms: the new country shows among the reasons.
  BOOST_TEST(
    f.count("select count(*) from frauds where ground_truth and explanation like '%NG%'") ==
    static_cast<long long>(frauds.size()));
  BOOST_TEST(f.count("select count(*) from frauds where ground_truth and risk_level = 'high'") >=
             5);
  // Every message, good or bad, is behind the committed offsets.
  BOOST_TEST(f.count("select sum(next_offset) from kafka_offsets") == warmup + sent + 3);
  BOOST_TEST(f.count("select count(*) from quarantine where reason = 'not valid JSON'") == 2);
  BOOST_TEST(f.count("select count(*) from quarantine where reason like 'amount must be positive%'"
                     " or reason like 'missing field%'") == 1);
  // Profiles were checkpointed on the way out; the node said goodbye.
  BOOST_TEST(f.count("select count(*) from user_profiles where checkpoint is not null") ==
             people.users());
  BOOST_TEST(f.count("select count(*) from node_status where state = 'stopped'") == 1);
  // The global model was kept, and a new node starts from it rather than blind.
  BOOST_TEST(f.count("select version from global_models where mode = 'enhanced'") > 0);
  node again(sys, f.settings);
  BOOST_TEST(test::eventually([&] { return again.metrics()->global_model_version > 0; },
                              std::chrono::seconds(5)));
  BOOST_TEST(again.stop(std::chrono::seconds(60)));
}

// Offsets live in PostgreSQL; the broker's lag tools (kafka-consumer-groups,
// Burrow, Redpanda Console) read the group's. The node mirrors what it
// stored there: a few seconds behind while it runs, exact once it stopped.
BOOST_AUTO_TEST_CASE(the_consumer_group_shows_the_offsets_stored_in_postgresql) {
  test::node_fixture f("rtad_node_mirror", 3);
  test::producer p(f.settings.kafka.bootstrap);
  test::population people(30);
  const long long sent = f.send_rounds(p, people, 10);
  auto group_committed = [&] {
    std::string err;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    conf->set("bootstrap.servers", f.settings.kafka.bootstrap, err);
    conf->set("group.id", f.settings.kafka.group, err);
    std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
    std::vector<RdKafka::TopicPartition*> parts;
    for (int i = 0; i < 3; ++i)
      parts.push_back(RdKafka::TopicPartition::create(f.topic, i));
    long long sum = 0;
    if (c->committed(parts, 10000) == RdKafka::ERR_NO_ERROR)
      for (auto* tp : parts)
        sum += std::max<std::int64_t>(0, tp->offset());
    RdKafka::TopicPartition::destroy(parts);
    c->close();
    return sum;
  };
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  f.wait_for("select count(*) from transactions", sent);
  BOOST_TEST(test::eventually([&] { return group_committed() == sent; }, std::chrono::seconds(15)));
  BOOST_TEST(n.stop(std::chrono::seconds(30)));
  BOOST_TEST(group_committed() == f.count("select sum(next_offset) from kafka_offsets"));
}
