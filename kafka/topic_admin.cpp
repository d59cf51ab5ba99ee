#include "kafka/topic_admin.hpp"

#include <stdexcept>

namespace rtad::kafka {

int topic_partitions(rd_kafka_t* rk, const std::string& bootstrap, const std::string& topic,
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

void create_topic(rd_kafka_t* rk, const std::string& topic, int partitions, int timeout_ms) {
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
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
      error = rd_kafka_err2str(code);
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
  if (!error.empty())
    throw std::runtime_error("cannot create topic '" + topic + "': " + error);
}

} // namespace rtad::kafka
