#pragma once
// Real-broker helpers for tests: topics of their own, and a producer.

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace rtad::test {

/// Creates `topic` with `partitions` on the broker at `bootstrap`.
inline void create_topic(const std::string& bootstrap, const std::string& topic, int partitions) {
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
  size_t n = 0;
  const rd_kafka_topic_result_t** topics =
    rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
  BOOST_REQUIRE(n == 1);
  BOOST_REQUIRE_MESSAGE(rd_kafka_topic_result_error(topics[0]) == RD_KAFKA_RESP_ERR_NO_ERROR,
                        rd_kafka_err2str(rd_kafka_topic_result_error(topics[0])));
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_destroy(rk);
}

/// An idempotent producer that requires every message to be delivered.
class producer {
public:
  explicit producer(const std::string& bootstrap) {
    std::string err;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    conf->set("bootstrap.servers", bootstrap, err);
    conf->set("enable.idempotence", "true", err);
    conf->set("linger.ms", "5", err);
    p_.reset(RdKafka::Producer::create(conf.get(), err));
    BOOST_REQUIRE_MESSAGE(p_, err);
  }
  void send(const std::string& topic, const std::string& key, const std::string& value) {
    send(topic, &key, value);
  }
  /// Without a key, as the original system's producer: any partition.
  void send_unkeyed(const std::string& topic, const std::string& value) {
    send(topic, nullptr, value);
  }
  /// Without a key, to `partition`.
  void send_to(const std::string& topic, std::int32_t partition, const std::string& value) {
    send(topic, nullptr, value, partition);
  }
  void send(const std::string& topic, const std::string* key, const std::string& value,
            std::int32_t partition = RdKafka::Topic::PARTITION_UA) {
    for (;;) {
      auto rc = p_->produce(topic, partition, RdKafka::Producer::RK_MSG_COPY,
                            const_cast<char*>(value.data()), value.size(),
                            key ? key->data() : nullptr, key ? key->size() : 0, 0, nullptr);
      if (rc == RdKafka::ERR__QUEUE_FULL) {
        p_->poll(10);
        continue;
      }
      BOOST_REQUIRE_MESSAGE(rc == RdKafka::ERR_NO_ERROR, RdKafka::err2str(rc));
      return;
    }
  }
  void flush() { BOOST_REQUIRE(p_->flush(60000) == RdKafka::ERR_NO_ERROR); }

private:
  std::unique_ptr<RdKafka::Producer> p_;
};

/// A message as a test reads it back.
struct read_message {
  std::string key, value;
  std::map<std::string, std::string> headers; ///< the last value of each name
};

/// Every message of `topic` from its beginning, read until
/// `expected` came and then `quiet` more passed without one (so duplicates
/// show), or until `timeout`.
inline std::vector<read_message>
read_topic(const std::string& bootstrap, const std::string& topic, std::size_t expected,
           std::chrono::seconds timeout = std::chrono::seconds(60),
           std::chrono::milliseconds quiet = std::chrono::milliseconds(2000)) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap, err);
  conf->set("group.id", topic + "-reader-" + std::to_string(std::random_device{}()), err);
  conf->set("auto.offset.reset", "earliest", err);
  conf->set("enable.auto.commit", "false", err);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  BOOST_REQUIRE_MESSAGE(c, err);
  BOOST_REQUIRE(c->subscribe({topic}) == RdKafka::ERR_NO_ERROR);
  std::vector<read_message> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto last = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline &&
         (out.size() < expected || std::chrono::steady_clock::now() - last < quiet)) {
    std::unique_ptr<RdKafka::Message> m(c->consume(200));
    if (m->err() != RdKafka::ERR_NO_ERROR)
      continue;
    read_message r;
    r.key = m->key() ? *m->key() : std::string();
    r.value = std::string(static_cast<const char*>(m->payload()), m->len());
    if (auto* h = m->headers())
      for (const auto& one : h->get_all())
        r.headers[one.key()] = std::string(static_cast<const char*>(one.value()), one.value_size());
    out.push_back(std::move(r));
    last = std::chrono::steady_clock::now();
  }
  c->close();
  return out;
}

/// A member of consumer group `group` reading `topic`, polled on a thread of
/// its own until it goes out of scope: joining and leaving make the group
/// rebalance.
class group_member {
public:
  group_member(const std::string& bootstrap, const std::string& group, const std::string& topic) {
    std::string err;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    conf->set("bootstrap.servers", bootstrap, err);
    conf->set("group.id", group, err);
    conf->set("enable.auto.commit", "false", err);
    c_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
    BOOST_REQUIRE_MESSAGE(c_, err);
    BOOST_REQUIRE(c_->subscribe({topic}) == RdKafka::ERR_NO_ERROR);
    poller_ = std::thread([this] {
      while (!done_)
        std::unique_ptr<RdKafka::Message>(c_->consume(100));
    });
  }
  ~group_member() {
    done_ = true;
    poller_.join();
    c_->close();
  }

private:
  std::unique_ptr<RdKafka::KafkaConsumer> c_;
  std::atomic<bool> done_{false};
  std::thread poller_;
};

} // namespace rtad::test
