#define BOOST_TEST_MODULE kafka round trip
#include "support/kafka.hpp"
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

} // namespace

BOOST_AUTO_TEST_CASE(messages_produced_to_the_broker_come_back_once_in_a_consumer_group) {
  auto s = rtad::test::service_settings();
  auto topic = rtad::test::unique_name("rtad-it");
  constexpr int partitions = 3;
  constexpr int messages = 300;
  rtad::test::create_topic(s.kafka.bootstrap, topic, partitions);

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
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
    RdKafka::KafkaConsumer::create(cconf.get(), err));
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
