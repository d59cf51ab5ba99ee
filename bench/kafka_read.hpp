#pragma once
// Reading a whole topic with a bare librdkafka consumer, for the benchmark
// tools (bench/e2e, bench/chaos): every partition from its beginning up to
// the high watermark it had at start.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <librdkafka/rdkafkacpp.h>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace rtad::bench {

constexpr int metadata_timeout_ms = 10000;
constexpr int consume_timeout_ms = 1000;

inline std::unique_ptr<RdKafka::KafkaConsumer> make_consumer(const std::string& bootstrap) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  auto set = [&](const std::string& k, const std::string& v) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK)
      throw std::runtime_error(k + ": " + err);
  };
  set("bootstrap.servers", bootstrap);
  // Never committed (assign() only): a group of its own each time.
  set("group.id", "rtad-bench-bare-" +
                    std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  set("enable.auto.commit", "false");
  set("enable.partition.eof", "false");
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!c)
    throw std::runtime_error("consumer: " + err);
  return c;
}

/// Partition -> high watermark at start.
inline std::map<std::int32_t, std::int64_t> high_watermarks(RdKafka::KafkaConsumer& c,
                                                            const std::string& topic) {
  std::string err;
  std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(&c, topic, nullptr, err));
  RdKafka::Metadata* md = nullptr;
  if (c.metadata(false, t.get(), &md, metadata_timeout_ms) != RdKafka::ERR_NO_ERROR)
    throw std::runtime_error("no metadata for " + topic);
  std::unique_ptr<RdKafka::Metadata> owned(md);
  std::map<std::int32_t, std::int64_t> out;
  for (const auto* tm : *md->topics())
    for (const auto* pm : *tm->partitions()) {
      std::int64_t lo = 0, hi = 0;
      if (c.query_watermark_offsets(topic, pm->id(), &lo, &hi, metadata_timeout_ms) !=
          RdKafka::ERR_NO_ERROR)
        throw std::runtime_error("no watermarks for partition " + std::to_string(pm->id()));
      out[pm->id()] = hi;
    }
  if (out.empty())
    throw std::runtime_error("topic " + topic + " has no partitions");
  return out;
}

/// Consumes every partition from the beginning to its start high watermark;
/// `each` sees every message.
template <class F>
void consume_all(const std::string& bootstrap, const std::string& topic,
                 const std::atomic<bool>& stop_requested, int idle_seconds, F each) {
  auto c = make_consumer(bootstrap);
  auto high = high_watermarks(*c, topic);
  std::vector<RdKafka::TopicPartition*> parts;
  std::map<std::int32_t, bool> done;
  for (auto [p, hi] : high) {
    parts.push_back(RdKafka::TopicPartition::create(topic, p, RdKafka::Topic::OFFSET_BEGINNING));
    done[p] = hi == 0;
  }
  c->assign(parts);
  RdKafka::TopicPartition::destroy(parts);
  auto remaining = static_cast<std::size_t>(
    std::count_if(done.begin(), done.end(), [](const auto& d) { return !d.second; }));
  int idle = 0;
  while (remaining > 0 && !stop_requested) {
    std::unique_ptr<RdKafka::Message> m(c->consume(consume_timeout_ms));
    if (m->err() == RdKafka::ERR__TIMED_OUT) {
      if (++idle > idle_seconds * 1000 / consume_timeout_ms)
        throw std::runtime_error("no message for " + std::to_string(idle_seconds) +
                                 " s before the end of the topic");
      continue;
    }
    if (m->err() != RdKafka::ERR_NO_ERROR)
      throw std::runtime_error("consume: " + m->errstr());
    idle = 0;
    each(*m);
    if (m->offset() + 1 >= high[m->partition()] && !done[m->partition()]) {
      done[m->partition()] = true;
      --remaining;
    }
  }
  c->close();
}

} // namespace rtad::bench
