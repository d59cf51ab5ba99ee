#include "apps/embedded_kafka.hpp"

#include "actors/detail/kafka_config.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdexcept>

namespace rtad::app {

struct embedded_kafka::impl {
  rd_kafka_t* host = nullptr; // the mock cluster lives inside a client handle
  rd_kafka_mock_cluster_t* cluster = nullptr;
};

embedded_kafka::embedded_kafka(const std::string& topic, int partitions)
    : impl_(std::make_unique<impl>()) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  route_kafka_logs(conf);
  impl_->host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!impl_->host)
    throw std::runtime_error(std::string("embedded Kafka: ") + err);
  impl_->cluster = rd_kafka_mock_cluster_new(impl_->host, 1);
  if (!impl_->cluster)
    throw std::runtime_error("embedded Kafka: cannot create the mock cluster");
  bootstrap_ = rd_kafka_mock_cluster_bootstraps(impl_->cluster);
  if (auto e = rd_kafka_mock_topic_create(impl_->cluster, topic.c_str(), partitions, 1))
    throw std::runtime_error(std::string("embedded Kafka: topic: ") + rd_kafka_err2str(e));
}

embedded_kafka::~embedded_kafka() {
  if (impl_->cluster)
    rd_kafka_mock_cluster_destroy(impl_->cluster);
  if (impl_->host)
    rd_kafka_destroy(impl_->host);
}

bool kafka_reachable(const std::string& bootstrap,
                     const std::map<std::string, std::string>& properties, int timeout_ms) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // As the node's clients will connect (SASL, SSL): a broker that answers
  // a plain client but refuses them is no broker for the demo.
  for (const auto& [k, v] : properties)
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return false;
    }
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk)
    return false;
  const struct rd_kafka_metadata* md = nullptr;
  bool ok = rd_kafka_metadata(rk, 0, nullptr, &md, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR;
  if (md)
    rd_kafka_metadata_destroy(md);
  rd_kafka_destroy(rk);
  return ok;
}

} // namespace rtad::app
