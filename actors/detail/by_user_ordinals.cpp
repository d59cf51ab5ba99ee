#include "actors/detail/by_user_ordinals.hpp"

#include "actors/detail/kafka_config.hpp"

#include <chrono>
#include <memory>
#include <stdexcept>

namespace rtad {

namespace {

/// How far back from a partition's end the first look goes; doubled while
/// it finds only aborted messages and markers.
constexpr std::int64_t first_window = 8192;

} // namespace

std::int32_t kafka_partition(std::string_view key, std::int32_t partitions) {
  const std::uint32_t m = 0x5bd1e995;
  auto len = static_cast<std::uint32_t>(key.size());
  std::uint32_t h = 0x9747b28c ^ len;
  const auto* d = reinterpret_cast<const unsigned char*>(key.data());
  for (std::uint32_t i = 0; i + 4 <= len; i += 4) {
    std::uint32_t k = d[i] | (d[i + 1] << 8) | (d[i + 2] << 16) | (std::uint32_t{d[i + 3]} << 24);
    k *= m;
    k ^= k >> 24;
    k *= m;
    h *= m;
    h ^= k;
  }
  auto tail = len & ~3u;
  switch (len % 4) {
  case 3:
    h ^= std::uint32_t{d[tail + 2]} << 16;
    [[fallthrough]];
  case 2:
    h ^= std::uint32_t{d[tail + 1]} << 8;
    [[fallthrough]];
  case 1:
    h ^= d[tail];
    h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<std::int32_t>((h & 0x7fffffff) % static_cast<std::uint32_t>(partitions));
}

std::optional<std::int64_t> ordinal_of(const RdKafka::Message& msg) {
  auto* headers = const_cast<RdKafka::Message&>(msg).headers();
  if (!headers)
    return std::nullopt;
  auto h = headers->get_last(ordinal_header);
  if (h.err() != RdKafka::ERR_NO_ERROR || !h.value() || h.value_size() == 0 || h.value_size() > 18)
    return std::nullopt;
  std::int64_t n = 0;
  const auto* c = static_cast<const char*>(h.value());
  for (std::size_t i = 0; i < h.value_size(); ++i) {
    if (c[i] < '0' || c[i] > '9')
      return std::nullopt;
    n = n * 10 + (c[i] - '0');
  }
  return n;
}

bool caught_up(const RdKafka::Message& msg) {
  auto* headers = const_cast<RdKafka::Message&>(msg).headers();
  return headers && headers->get_last(caught_up_header).err() == RdKafka::ERR_NO_ERROR;
}

std::vector<std::int64_t> next_ordinals(const std::string& bootstrap,
                                        const std::map<std::string, std::string>& properties,
                                        const std::string& topic, std::int32_t partitions,
                                        int timeout_ms) {
  // A plain consumer, partition by partition: a KafkaConsumer's assign()
  // outside a group hung in librdkafka 2.0.2 once in four lease hand-overs.
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  set_kafka(*conf, "bootstrap.servers", bootstrap);
  set_kafka(*conf, "isolation.level", "read_committed");
  set_kafka(*conf, "enable.partition.eof", "true");
  route_kafka_logs(*conf);
  set_kafka_properties(*conf, properties);
  std::string err;
  std::unique_ptr<RdKafka::Consumer> consumer(RdKafka::Consumer::create(conf.get(), err));
  if (!consumer)
    throw std::runtime_error("cannot create a consumer to read " + topic + "'s ordinals: " + err);
  std::unique_ptr<RdKafka::Topic> handle(
    RdKafka::Topic::create(consumer.get(), topic, nullptr, err));
  if (!handle)
    throw std::runtime_error("cannot read " + topic + ": " + err);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto left_ms = [&] {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      throw std::runtime_error("the broker did not give " + topic + "'s ordinals in time");
    return static_cast<int>(left.count());
  };
  // The last committed message's ordinal in [from, the partition's end).
  auto last_in = [&](std::int32_t p, std::int64_t from) {
    std::optional<std::int64_t> last;
    if (auto rc = consumer->start(handle.get(), p, from); rc != RdKafka::ERR_NO_ERROR)
      throw std::runtime_error("cannot read " + topic + ": " + RdKafka::err2str(rc));
    for (;;) {
      std::unique_ptr<RdKafka::Message> msg(
        consumer->consume(handle.get(), p, std::min(left_ms(), 100)));
      if (msg->err() == RdKafka::ERR__TIMED_OUT)
        continue;
      if (msg->err() == RdKafka::ERR__PARTITION_EOF)
        break;
      if (msg->err() != RdKafka::ERR_NO_ERROR) {
        consumer->stop(handle.get(), p);
        throw std::runtime_error("cannot read " + topic + ": " + msg->errstr());
      }
      last = ordinal_of(*msg).value_or(msg->offset());
    }
    consumer->stop(handle.get(), p);
    return last;
  };
  std::vector<std::int64_t> next;
  for (std::int32_t p = 0; p < partitions; ++p) {
    std::int64_t low = 0, high = 0;
    if (auto rc = consumer->query_watermark_offsets(topic, p, &low, &high, left_ms());
        rc != RdKafka::ERR_NO_ERROR)
      throw std::runtime_error("cannot read " + topic + "'s offsets: " + RdKafka::err2str(rc));
    std::optional<std::int64_t> last;
    // Back from the end until a committed message shows (aborted batches
    // and markers may fill the window).
    for (auto from = std::max(low, high - first_window); high > low && !last;
         from = std::max(low, from - 2 * (high - from))) {
      last = last_in(p, from);
      if (from == low)
        break;
    }
    // A partition without a committed message starts at 0 if it never had
    // one, else past its offsets (retention took them; messages counted by
    // offset before that never go back).
    next.push_back(last ? *last + 1 : (low == 0 ? 0 : high));
  }
  return next;
}

} // namespace rtad
