#include "generator/kafka_sink.hpp"

#include "kafka/topic_admin.hpp"

#include <chrono>
#include <librdkafka/rdkafka.h>
#include <stdexcept>
#include <thread>

namespace rtad::gen {

namespace {

constexpr int queue_full_poll_ms = 50;
constexpr int finish_poll_ms = 100;
constexpr int metadata_retry_ms = 100;

// Throughput settings: batches of many small messages, compressed.
const std::map<std::string, std::string> producer_defaults = {
  {"enable.idempotence", "true"},
  {"partitioner", "murmur2_random"},
  {"linger.ms", "10"},
  {"batch.num.messages", "10000"},
  {"batch.size", "1000000"},
  {"compression.type", "lz4"},
  {"queue.buffering.max.messages", "500000"},
  {"message.timeout.ms", "120000"},
};

void set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error("Kafka property " + key + "=" + value + ": " + err);
  }
}

} // namespace

kafka_sink::kafka_sink(const kafka_sink_options& o) : options_(o) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", o.bootstrap);
  for (const auto& [k, v] : producer_defaults)
    set(conf, k, v);
  for (const auto& [k, v] : o.overrides)
    set(conf, k, v);
  if (o.log_cb)
    rd_kafka_conf_set_log_cb(conf, o.log_cb);
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque) {
    on_delivery(rk, m, opaque);
  });
  char err[512];
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk_) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("cannot create a Kafka producer: ") + err);
  }
  partitions_ = topic_partitions();
  if (partitions_ == 0 && o.create_partitions > 0) {
    create_topic();
    // A new topic reaches the metadata of every broker a moment later.
    const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(o.metadata_timeout_ms);
    while ((partitions_ = topic_partitions()) == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(metadata_retry_ms));
  }
  if (partitions_ == 0)
    fail("Kafka at " + o.bootstrap + " has no topic '" + o.topic +
         "' (create it, or choose one with --topic)");
}

void kafka_sink::fail(const std::string& why) {
  rd_kafka_destroy(rk_);
  rk_ = nullptr;
  throw std::runtime_error(why);
}

int kafka_sink::topic_partitions() {
  try {
    return kafka::topic_partitions(rk_, options_.bootstrap, options_.topic,
                                   options_.metadata_timeout_ms);
  } catch (const std::runtime_error& e) {
    fail(e.what());
  }
}

void kafka_sink::create_topic() {
  try {
    kafka::create_topic(rk_, options_.topic, options_.create_partitions,
                        options_.metadata_timeout_ms);
  } catch (const std::runtime_error& e) {
    fail(e.what());
  }
}

kafka_sink::~kafka_sink() {
  if (rk_)
    rd_kafka_destroy(rk_);
}

void kafka_sink::on_delivery(rd_kafka_s* /*rk*/, const void* report, void* opaque) {
  auto* self = static_cast<kafka_sink*>(opaque);
  const auto* m = static_cast<const rd_kafka_message_t*>(report);
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
    ++self->stats_.delivered;
  else
    self->record_failure(rd_kafka_err2str(m->err));
}

void kafka_sink::record_failure(const std::string& reason) {
  ++stats_.failed;
  if (stats_.first_error.empty())
    stats_.first_error = reason;
}

void kafka_sink::write(const message& m) {
  ++stats_.written;
  for (;;) {
    // The timestamp is left to librdkafka (now): the transaction's own may be
    // weeks old, and the broker's retention would delete such a segment at once.
    auto err = rd_kafka_producev(
      rk_, RD_KAFKA_V_TOPIC(options_.topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_KEY(options_.keyed ? const_cast<char*>(m.key.data()) : nullptr,
                     options_.keyed ? m.key.size() : 0),
      RD_KAFKA_V_VALUE(const_cast<char*>(m.value.data()), m.value.size()), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
      break;
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk_, queue_full_poll_ms); // back-pressure: wait for the broker
      continue;
    }
    record_failure(rd_kafka_err2str(err));
    break;
  }
  rd_kafka_poll(rk_, 0); // serve delivery reports as we go
}

void kafka_sink::finish() {
  rd_kafka_flush(rk_, options_.flush_timeout_ms);
  rd_kafka_poll(rk_, finish_poll_ms);
  const auto pending = stats_.written - stats_.delivered - stats_.failed;
  if (pending > 0) {
    stats_.failed += pending;
    if (stats_.first_error.empty())
      stats_.first_error = std::to_string(pending) + " messages still undelivered after " +
                           std::to_string(options_.flush_timeout_ms / 1000) + " s";
  }
}

} // namespace rtad::gen
