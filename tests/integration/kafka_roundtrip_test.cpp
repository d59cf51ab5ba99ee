#define BOOST_TEST_MODULE kafka round trip
#include "support/services.hpp"

#include <chrono>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
#include <map>
#include <memory>
#include <set>

namespace {

using namespace std::chrono_literals;

std::unique_ptr<RdKafka::Conf> conf_for(const std::string& bootstrap) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  BOOST_REQUIRE(conf->set("bootstrap.servers", bootstrap, err) == RdKafka::Conf::CONF_OK);
  return conf;
}

void create_topic(const std::string& bootstrap, const std::string& topic, int partitions) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  BOOST_REQUIRE_MESSAGE(rk, err);
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, err, sizeof err);
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
  BOOST_REQUIRE_MESSAGE(ev, "no answer to CreateTopics from " + bootstrap);
  const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
  size_t n = 0;
  const rd_kafka_topic_result_t** topics = rd_kafka_CreateTopics_result_topics(res, &n);
  BOOST_REQUIRE(n == 1);
  BOOST_REQUIRE_MESSAGE(rd_kafka_topic_result_error(topics[0]) == RD_KAFKA_RESP_ERR_NO_ERROR,
                        rd_kafka_err2str(rd_kafka_topic_result_error(topics[0])));
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_destroy(rk);
}

} // namespace

BOOST_AUTO_TEST_CASE(messages_produced_to_the_broker_come_back_once_in_a_consumer_group) {
  auto s = rtad::test::service_settings();
  auto topic = rtad::test::unique_name("rtad-it");
  constexpr int partitions = 3;
  constexpr int messages = 300;
  create_topic(s.kafka.bootstrap, topic, partitions);

  std::string err;
  auto pconf = conf_for(s.kafka.bootstrap);
  pconf->set("enable.idempotence", "true", err);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(pconf.get(), err));
  BOOST_REQUIRE_MESSAGE(producer, err);
  for (int i = 0; i < messages; ++i) {
    auto key = "user-" + std::to_string(i % 17);
    auto value = "tx-" + std::to_string(i);
    auto rc = producer->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                value.data(), value.size(), key.data(), key.size(), 0, nullptr);
    BOOST_REQUIRE(rc == RdKafka::ERR_NO_ERROR);
  }
  BOOST_REQUIRE(producer->flush(30000) == RdKafka::ERR_NO_ERROR);

  auto cconf = conf_for(s.kafka.bootstrap);
  cconf->set("group.id", rtad::test::unique_name("rtad-it-group"), err);
  cconf->set("auto.offset.reset", "earliest", err);
  cconf->set("partition.assignment.strategy", "range", err); // eager: see README pitfalls
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(cconf.get(), err));
  BOOST_REQUIRE_MESSAGE(consumer, err);
  BOOST_REQUIRE(consumer->subscribe({topic}) == RdKafka::ERR_NO_ERROR);

  std::map<std::string, int> seen;
  std::map<std::string, std::set<int>> partitions_of_key;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (static_cast<int>(seen.size()) < messages && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(200));
    if (m->err() == RdKafka::ERR__TIMED_OUT || m->err() == RdKafka::ERR__PARTITION_EOF)
      continue;
    BOOST_REQUIRE_MESSAGE(m->err() == RdKafka::ERR_NO_ERROR, m->errstr());
    seen[std::string(static_cast<const char*>(m->payload()), m->len())]++;
    partitions_of_key[*m->key()].insert(m->partition());
  }
  consumer->close();
  BOOST_TEST(seen.size() == static_cast<std::size_t>(messages));
  for (const auto& [value, count] : seen)
    BOOST_TEST(count == 1, value << " seen " << count << " times");
  // Keys keep their partition: what rtad relies on to route users.
  for (const auto& [key, parts] : partitions_of_key)
    BOOST_TEST(parts.size() == 1u, key << " spread over partitions");
}
