#include "actors/detail/kafka_topics.hpp"

#include "actors/detail/kafka_config.hpp"
#include "kafka/topic_admin.hpp"

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

} // namespace

int topic_partitions(const std::string& bootstrap,
                     const std::map<std::string, std::string>& properties, const std::string& topic,
                     int timeout_ms) {
  admin_handle h(bootstrap, properties);
  return kafka::topic_partitions(h.rk, bootstrap, topic, timeout_ms);
}

int ensure_topic(const std::string& bootstrap, const std::map<std::string, std::string>& properties,
                 const std::string& topic, int partitions, int timeout_ms) {
  admin_handle h(bootstrap, properties);
  if (auto n = kafka::topic_partitions(h.rk, bootstrap, topic, timeout_ms); n > 0)
    return n;
  kafka::create_topic(h.rk, topic, partitions, timeout_ms);
  // A new topic reaches every broker's metadata a moment later.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int n = 0;
  while ((n = kafka::topic_partitions(h.rk, bootstrap, topic, timeout_ms)) == 0 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(metadata_retry_ms));
  if (n == 0)
    throw std::runtime_error("topic '" + topic + "' was created but does not appear at " +
                             bootstrap);
  return n;
}

int ensure_topic_like(const std::string& bootstrap,
                      const std::map<std::string, std::string>& properties,
                      const std::string& source, const std::string& target, int timeout_ms) {
  if (auto n = topic_partitions(bootstrap, properties, target, timeout_ms); n > 0)
    return n;
  auto partitions = topic_partitions(bootstrap, properties, source, timeout_ms);
  if (partitions == 0)
    throw std::runtime_error("Kafka at " + bootstrap + " has no topic '" + source +
                             "' (create it; set kafka.topic)");
  return ensure_topic(bootstrap, properties, target, partitions, timeout_ms);
}

} // namespace rtad
