#include "actors/kafka_topics.hpp"

#include "actors/kafka_config.hpp"

#include <chrono>
#include <librdkafka/rdkafka.h>
#include <memory>
#include <stdexcept>
#include <thread>

namespace rtad {

namespace {

constexpr int metadata_retry_ms = 100;

/// A producer handle used only for metadata and admin requests.
struct admin_handle {
  rd_kafka_t* rk = nullptr;
  admin_handle(const std::string& bootstrap, const std::map<std::string, std::string>& properties) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    route_kafka_logs(conf);
    auto set = [&](const std::string& k, const std::string& v, const std::string& name) {
      if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(name + ": " + err);
      }
    };
    for (const auto& [k, v] : properties)
      set(k, v, "kafka.properties." + k);
    set("bootstrap.servers", bootstrap, "kafka.bootstrap");
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
      rd_kafka_conf_destroy(conf);
      throw std::runtime_error(std::string("cannot create a Kafka client: ") + err);
    }
  }
  ~admin_handle() { rd_kafka_destroy(rk); }
  admin_handle(const admin_handle&) = delete;
  admin_handle& operator=(const admin_handle&) = delete;
};

int partitions_of(rd_kafka_t* rk, const std::string& bootstrap, const std::string& topic,
                  int timeout_ms) {
  const rd_kafka_metadata_t* md = nullptr;
  auto rc = rd_kafka_metadata(rk, 1, nullptr, &md, timeout_ms);
  if (rc != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error("cannot reach Kafka at " + bootstrap + ": " + rd_kafka_err2str(rc));
  int n = 0;
  for (int i = 0; i < md->topic_cnt; ++i)
    if (topic == md->topics[i].topic && md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
      n = md->topics[i].partition_cnt;
  rd_kafka_metadata_destroy(md);
  return n;
}

void create(rd_kafka_t* rk, const std::string& topic, int partitions, int timeout_ms) {
  constexpr int broker_default_replication = -1;
  char err[512];
  rd_kafka_NewTopic_t* nt =
    rd_kafka_NewTopic_new(topic.c_str(), partitions, broker_default_replication, err, sizeof err);
  if (!nt)
    throw std::runtime_error("cannot create topic '" + topic + "': " + err);
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, timeout_ms);
  std::string error = ev ? "" : "no answer from the broker";
  if (ev) {
    std::size_t n = 0;
    const auto** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    const auto code = n == 1 ? rd_kafka_topic_result_error(results[0]) : rd_kafka_event_error(ev);
    // Another node of the cluster may have made it a moment before.
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
      error = rd_kafka_err2str(code);
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
  if (!error.empty())
    throw std::runtime_error("cannot create topic '" + topic + "': " + error);
}

} // namespace

int topic_partitions(const std::string& bootstrap,
                     const std::map<std::string, std::string>& properties, const std::string& topic,
                     int timeout_ms) {
  admin_handle h(bootstrap, properties);
  return partitions_of(h.rk, bootstrap, topic, timeout_ms);
}

int ensure_topic_like(const std::string& bootstrap,
                      const std::map<std::string, std::string>& properties,
                      const std::string& source, const std::string& target, int timeout_ms) {
  admin_handle h(bootstrap, properties);
  if (auto n = partitions_of(h.rk, bootstrap, target, timeout_ms); n > 0)
    return n;
  auto partitions = partitions_of(h.rk, bootstrap, source, timeout_ms);
  if (partitions == 0)
    throw std::runtime_error("Kafka at " + bootstrap + " has no topic '" + source +
                             "' (create it; set kafka.topic)");
  create(h.rk, target, partitions, timeout_ms);
  // A new topic reaches every broker's metadata a moment later.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int n = 0;
  while ((n = partitions_of(h.rk, bootstrap, target, timeout_ms)) == 0 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(metadata_retry_ms));
  if (n == 0)
    throw std::runtime_error("topic '" + target + "' was created but does not appear at " +
                             bootstrap);
  return n;
}

} // namespace rtad
