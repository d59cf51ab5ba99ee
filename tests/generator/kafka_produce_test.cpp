#define BOOST_TEST_MODULE produce to Kafka
#include "generator/kafka_sink.hpp"
#include "generator/produce.hpp"
#include "generator/sources.hpp"
#include "messages/codec.hpp"
#include "support/kafka.hpp"
#include "support/services.hpp"

#include <chrono>
#include <cstdio>
#include <librdkafka/rdkafka.h>
#include <map>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

using namespace rtad;
using rtad::test::create_topic;

namespace {

/// Every message of `topic`, read from the beginning until `expected` came
/// or a minute passed: value -> (key, partition).
std::map<std::string, std::pair<std::string, int>>
consume_all(const std::string& bootstrap, const std::string& topic, std::size_t expected) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", test::unique_name("rtad-gen-it").c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err);
  rd_kafka_conf_set(conf, "partition.assignment.strategy", "range", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  BOOST_REQUIRE_MESSAGE(rk, err);
  rd_kafka_poll_set_consumer(rk);
  auto* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  BOOST_REQUIRE(rd_kafka_subscribe(rk, topics) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(topics);
  std::map<std::string, std::pair<std::string, int>> seen;
  std::size_t total = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (total < expected && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
    if (!m)
      continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++total;
      seen[std::string(static_cast<const char*>(m->payload), m->len)] = {
        std::string(static_cast<const char*>(m->key), m->key_len), m->partition};
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  BOOST_TEST(total == expected);
  return seen;
}

gen::kafka_sink_options sink_options(const std::string& bootstrap, const std::string& topic) {
  gen::kafka_sink_options o;
  o.bootstrap = bootstrap;
  o.topic = topic;
  return o;
}

} // namespace

BOOST_AUTO_TEST_CASE(every_produced_message_is_delivered_and_consumed_once_keyed_by_user) {
  const auto s = test::service_settings();
  const auto topic = test::unique_name("rtad-gen-it");
  create_topic(s.kafka.bootstrap, topic, 3);
  constexpr std::uint64_t count = 3000;

  gen::stream_params p;
  p.users = 300;
  gen::generated_source source(p);
  gen::kafka_sink sink(sink_options(s.kafka.bootstrap, topic));
  BOOST_TEST(sink.partitions() == 3);
  const std::atomic<bool> never{false};
  const auto report = gen::produce(source, sink, {count, std::nullopt, 0}, {}, never);
  BOOST_TEST(report.delivery.written == count);
  BOOST_TEST(report.delivery.delivered == count);
  BOOST_TEST(report.delivery.failed == 0u);

  const auto seen = consume_all(s.kafka.bootstrap, topic, count);
  BOOST_TEST(seen.size() == count); // distinct transaction ids: none doubled
  std::map<std::string, std::set<int>> partitions_of_user;
  for (const auto& [value, key_partition] : seen) {
    auto r = decode_transaction(value);
    BOOST_REQUIRE(std::holds_alternative<transaction>(r));
    BOOST_TEST(std::get<transaction>(r).user_id == key_partition.first);
    partitions_of_user[key_partition.first].insert(key_partition.second);
  }
  for (const auto& [user, parts] : partitions_of_user)
    BOOST_TEST(parts.size() == 1u, user << " spread over partitions");
}

BOOST_AUTO_TEST_CASE(a_missing_topic_and_an_absent_broker_are_named) {
  const auto s = test::service_settings();
  try {
    gen::kafka_sink sink(sink_options(s.kafka.bootstrap, test::unique_name("rtad-no-such-topic")));
    BOOST_FAIL("no error for a missing topic");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("has no topic") != std::string::npos, e.what());
  }
  auto o = sink_options("127.0.0.1:1", "t");
  o.metadata_timeout_ms = 1500;
  try {
    gen::kafka_sink sink(o);
    BOOST_FAIL("no error for an absent broker");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("cannot reach Kafka at 127.0.0.1:1") != std::string::npos,
               e.what());
  }
}

BOOST_AUTO_TEST_CASE(a_missing_topic_is_created_when_asked_for) {
  const auto s = test::service_settings();
  auto o = sink_options(s.kafka.bootstrap, test::unique_name("rtad-gen-created"));
  o.create_partitions = 2;
  gen::kafka_sink sink(o);
  BOOST_TEST(sink.partitions() == 2);
}

namespace {

/// A valid wire-format message of more than a kilobyte (fields are capped at
/// 256 bytes each, so several are long).
std::string big_message(const std::string& id) {
  transaction t;
  t.transaction_id = id;
  t.user_id = "u-big";
  t.amount = 10;
  t.currency = "USD";
  t.location = "US";
  t.timestamp = 1767225600;
  t.transaction_type = "purchase";
  // Over the broker's 1,000 bytes, every field within what the codec accepts.
  t.merchant_id = std::string(120, 'm');
  t.merchant_name = std::string(250, 'n');
  t.merchant_category = std::string(250, 'c');
  t.payment_method = std::string(250, 'p');
  t.device_type = std::string(250, 'd');
  t.ip_address = "1.2.3.4";
  t.anomalous = 0;
  return encode_transaction(t);
}

} // namespace

BOOST_AUTO_TEST_CASE(a_message_the_broker_refuses_is_counted_as_failed) {
  const auto s = test::service_settings();
  auto o = sink_options(s.kafka.bootstrap, test::unique_name("rtad-gen-refused"));
  o.create_partitions = 1;
  o.overrides["message.max.bytes"] = "1000";
  gen::kafka_sink sink(o);
  const auto big = big_message("t-big");
  sink.write({"u1", "small"});
  sink.write({"u-big", big});
  sink.write({"u2", "small too"});
  sink.finish();
  BOOST_TEST(sink.stats().written == 3u);
  BOOST_TEST(sink.stats().delivered == 2u);
  BOOST_TEST(sink.stats().failed == 1u);
  BOOST_TEST(!sink.stats().first_error.empty());
}

#ifdef RTAD_BINARY
BOOST_AUTO_TEST_CASE(rtad_produce_reports_every_message_delivered_and_exits_zero) {
  const auto s = test::service_settings();
  const auto topic = test::unique_name("rtad-gen-cli");
  create_topic(s.kafka.bootstrap, topic, 2);
  const std::string cmd = std::string(RTAD_BINARY) + " --set kafka.bootstrap=" + s.kafka.bootstrap +
                          " produce --topic " + topic + " --count 500 --users 50 --rate 5000 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  BOOST_REQUIRE(p);
  std::string output;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p))
    output += buf;
  const int status = ::pclose(p);
  BOOST_TEST(WEXITSTATUS(status) == 0, output);
  BOOST_TEST(output.find("delivered 500  failed 0") != std::string::npos, output);
  BOOST_TEST(consume_all(s.kafka.bootstrap, topic, 500).size() == 500u);
}

BOOST_AUTO_TEST_CASE(rtad_produce_exits_non_zero_when_a_message_is_not_delivered) {
  const auto s = test::service_settings();
  const std::string path = "/tmp/rtad-gen-undelivered-" + std::to_string(::getpid()) + ".jsonl";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fprintf(f, "%s\n%s\n", big_message("t-1").c_str(), big_message("t-2").c_str());
    std::fclose(f);
  }
  const std::string cmd = std::string(RTAD_BINARY) + " --set kafka.bootstrap=" + s.kafka.bootstrap +
                          " produce --replay " + path + " --topic " +
                          test::unique_name("rtad-gen-cli-refused") +
                          " --create-topic 1 --kafka-property message.max.bytes=1000 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  BOOST_REQUIRE(p);
  std::string output;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p))
    output += buf;
  const int status = ::pclose(p);
  std::remove(path.c_str());
  BOOST_TEST(WEXITSTATUS(status) == 1, output);
  BOOST_TEST(output.find("2 of 2 messages were not delivered") != std::string::npos, output);
}
#endif
