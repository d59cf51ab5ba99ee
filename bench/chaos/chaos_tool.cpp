// Helpers of the fault campaign (bench/chaos/run):
//
//   rtad_chaos poison BOOTSTRAP TOPIC KIND KEY
//       Sends one message rtad must refuse, keyed KEY, with an idempotent
//       producer, and prints "partition offset" where it landed. KIND:
//         nul        a NUL byte in user_id (cannot be stored as text)
//         future     a timestamp in 2099
//         huge       a 900 KB merchant name (nested, over-long)
//         deep       10,000 nested arrays where the merchant should be
//         wrong_type amount as a string
//         utf8       invalid UTF-8 in the merchant name
//   rtad_chaos watch BOOTSTRAP TOPIC PG_URL GROUP OUT [user|auto]
//       Every 500 ms until SIGINT/SIGTERM, appends "t,partition,end,committed"
//       per partition of each stage to OUT: "s3" is partition 3 of the topic
//       the profiles read (where it ends, the offset rtad committed in
//       PostgreSQL); with the repartition stage (auto: kafka.input_key auto
//       or none) that is TOPIC.by-user, and "r3" is input partition 3 (its
//       high watermark, the repartition group's offset in Kafka); -1 while
//       either cannot be read, as during a broker or database restart. The
//       campaign finds stalls in it.
//   rtad_chaos ids BOOTSTRAP TOPIC OUT
//       Writes the transaction_id of every message in TOPIC (up to the high
//       watermarks at start; poison ones left out), one a line: what reached
//       the broker, which is what rtad must store.

#include "bench/kafka_read.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <librdkafka/rdkafkacpp.h>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int timeout_ms = 5000;
constexpr auto sample_every = std::chrono::milliseconds(500);

std::atomic<bool> stop_requested{false};

void on_signal(int) {
  stop_requested = true;
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::unique_ptr<RdKafka::Conf> conf_for(const std::string& bootstrap) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  if (conf->set("bootstrap.servers", bootstrap, err) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error(err);
  return conf;
}

/// A transaction in the wire format with one field made bad.
std::string poison_message(const std::string& kind, const std::string& key) {
  auto id = "poison-" + kind + "-" + std::to_string(static_cast<long long>(now_s() * 1e6));
  std::string user = "\"" + key + "\"";
  std::string amount = "12.5";
  std::string ts = std::to_string(static_cast<long long>(now_s()) - 3600);
  std::string merchant_name = "\"Shop\"";
  std::string merchant;
  if (kind == "nul")
    user = "\"" + key + "\\u0000x\"";
  else if (kind == "future")
    ts = "4070908800"; // 2099-01-01
  else if (kind == "huge")
    merchant_name = "\"" + std::string(900 * 1024, 'x') + "\"";
  else if (kind == "deep")
    merchant = std::string(10000, '[') + std::string(10000, ']');
  else if (kind == "wrong_type")
    amount = "\"twelve\"";
  else if (kind == "utf8")
    merchant_name = "\"Sh\xff\xfeop\"";
  else
    throw std::runtime_error("unknown poison kind " + kind);
  return "{\"transaction_id\": \"" + id + "\", \"user_id\": " + user + ", \"amount\": " + amount +
         ", \"currency\": \"USD\", \"timestamp\": " + ts + ", \"merchant\": " +
         (merchant.empty()
            ? "{\"id\": \"m1\", \"name\": " + merchant_name + ", \"category\": \"groceries\"}"
            : merchant) +
         ", \"location\": \"US\", \"transaction_type\": \"purchase\","
         " \"payment_method\": \"credit_card\", \"device_info\": {\"type\": \"POS Terminal\"}}";
}

int poison(const std::string& bootstrap, const std::string& topic, const std::string& kind,
           const std::string& key) {
  auto conf = conf_for(bootstrap);
  std::string err;
  conf->set("enable.idempotence", "true", err);
  conf->set("message.max.bytes", "2000000", err);
  struct report : RdKafka::DeliveryReportCb {
    std::int32_t partition = -1;
    std::int64_t offset = -1;
    std::string error;
    void dr_cb(RdKafka::Message& m) override {
      if (m.err() != RdKafka::ERR_NO_ERROR)
        error = m.errstr();
      partition = m.partition();
      offset = m.offset();
    }
  } dr;
  conf->set("dr_cb", &dr, err);
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
  if (!p)
    throw std::runtime_error("producer: " + err);
  auto value = poison_message(kind, key);
  auto rc = p->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                       value.data(), value.size(), key.data(), key.size(), 0, nullptr);
  if (rc != RdKafka::ERR_NO_ERROR)
    throw std::runtime_error("produce: " + RdKafka::err2str(rc));
  if (p->flush(60000) != RdKafka::ERR_NO_ERROR || !dr.error.empty() || dr.offset < 0)
    throw std::runtime_error("not delivered: " + dr.error);
  std::printf("%d %lld\n", dr.partition, static_cast<long long>(dr.offset));
  return 0;
}

/// The partition ids of `topic`; waits until the broker tells them.
std::vector<std::int32_t> partitions_of(RdKafka::Producer& k, const std::string& topic) {
  std::string err;
  std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(&k, topic, nullptr, err));
  std::vector<std::int32_t> partitions;
  while (partitions.empty() && !stop_requested) {
    RdKafka::Metadata* md = nullptr;
    if (k.metadata(false, t.get(), &md, timeout_ms) == RdKafka::ERR_NO_ERROR) {
      for (const auto* tm : *md->topics())
        for (const auto* pm : *tm->partitions())
          partitions.push_back(pm->id());
      delete md;
    }
    if (partitions.empty())
      std::this_thread::sleep_for(sample_every);
  }
  return partitions;
}

/// Offsets the repartition stage committed, in Kafka (-1 while unreadable).
std::map<std::int32_t, std::int64_t> repartition_committed(RdKafka::KafkaConsumer& c,
                                                           const std::string& topic,
                                                           const std::vector<std::int32_t>& ps) {
  std::vector<RdKafka::TopicPartition*> parts;
  for (auto p : ps)
    parts.push_back(RdKafka::TopicPartition::create(topic, p));
  std::map<std::int32_t, std::int64_t> out;
  bool ok = c.committed(parts, timeout_ms) == RdKafka::ERR_NO_ERROR;
  for (auto* tp : parts) // none committed yet: nothing read yet
    out[tp->partition()] = !ok ? -1 : tp->offset() < 0 ? 0 : tp->offset();
  RdKafka::TopicPartition::destroy(parts);
  return out;
}

int watch(const std::string& bootstrap, const std::string& topic, const std::string& url,
          const std::string& group, const std::string& out, bool two_stage) {
  FILE* f = std::fopen(out.c_str(), "a");
  if (!f)
    throw std::runtime_error("cannot write " + out);
  auto conf = conf_for(bootstrap);
  std::string err;
  std::unique_ptr<RdKafka::Producer> k(RdKafka::Producer::create(conf.get(), err));
  if (!k)
    throw std::runtime_error("client: " + err);
  auto group_conf = conf_for(bootstrap);
  group_conf->set("group.id", group + ".repartition", err);
  std::unique_ptr<RdKafka::KafkaConsumer> stage1(
    RdKafka::KafkaConsumer::create(group_conf.get(), err));
  if (!stage1)
    throw std::runtime_error("client: " + err);
  const auto scored = two_stage ? topic + ".by-user" : topic;
  auto input_partitions = partitions_of(*k, topic);
  auto scored_partitions = partitions_of(*k, scored);
  std::unique_ptr<pqxx::connection> db;
  auto put = [&](double at, const char* stage, std::int32_t p, std::int64_t end,
                 std::int64_t committed) {
    std::fprintf(f, "%.3f,%s%d,%lld,%lld\n", at, stage, p, static_cast<long long>(end),
                 static_cast<long long>(committed));
  };
  auto end_of = [&](const std::string& t, std::int32_t p) {
    std::int64_t lo = 0, hi = -1;
    return k->query_watermark_offsets(t, p, &lo, &hi, timeout_ms) == RdKafka::ERR_NO_ERROR ? hi
                                                                                           : -1;
  };
  while (!stop_requested) {
    auto at = now_s();
    std::map<std::int32_t, std::int64_t> committed;
    try {
      if (!db || !db->is_open())
        db = std::make_unique<pqxx::connection>(
          url + (url.find('?') == std::string::npos ? "?" : "&") +
          "connect_timeout=2&options=-c%20statement_timeout%3D2000");
      pqxx::read_transaction r(*db);
      for (const auto& row : r.exec_params(
             "select kafka_partition, next_offset from kafka_offsets where consumer_group = $1"
             " and topic = $2",
             group, scored))
        committed[row[0].as<std::int32_t>()] = row[1].as<std::int64_t>();
    } catch (const std::exception&) {
      db.reset();
      committed.clear();
      for (auto p : scored_partitions)
        committed[p] = -1;
    }
    // Stage 1: the input topic against the repartition group's offsets.
    if (two_stage) {
      auto rekeyed = repartition_committed(*stage1, topic, input_partitions);
      for (auto p : input_partitions)
        put(at, "r", p, end_of(topic, p), rekeyed[p]);
    }
    // The scored topic against PostgreSQL. Every transaction of the
    // repartition stage ends with a commit marker, which takes an offset no
    // consumer reads: there, caught up is one short of the high watermark.
    for (auto p : scored_partitions) {
      auto hi = end_of(scored, p);
      put(at, "s", p, two_stage && hi > 0 ? hi - 1 : hi, committed.count(p) ? committed[p] : 0);
    }
    std::fflush(f);
    std::this_thread::sleep_for(sample_every);
  }
  std::fclose(f);
  return 0;
}

int ids(const std::string& bootstrap, const std::string& topic, const std::string& out) {
  FILE* f = std::fopen(out.c_str(), "w");
  if (!f)
    throw std::runtime_error("cannot write " + out);
  constexpr int idle_seconds = 5;
  rtad::bench::consume_all(
    bootstrap, topic, stop_requested, idle_seconds, [&](const RdKafka::Message& m) {
      auto j =
        nlohmann::json::parse(static_cast<const char*>(m.payload()),
                              static_cast<const char*>(m.payload()) + m.len(), nullptr, false);
      if (j.is_object() && j.contains("transaction_id") && j["transaction_id"].is_string()) {
        auto id = j["transaction_id"].get<std::string>();
        if (id.rfind("poison-", 0) != 0)
          std::fprintf(f, "%s\n", id.c_str());
      }
    });
  std::fclose(f);
  return 0;
}

} // namespace

int main(int argc, char** argv) try {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 5 && a[0] == "poison")
    return poison(a[1], a[2], a[3], a[4]);
  if ((a.size() == 6 || a.size() == 7) && a[0] == "watch")
    return watch(a[1], a[2], a[3], a[4], a[5], a.size() == 7 && a[6] == "auto");
  if (a.size() == 4 && a[0] == "ids")
    return ids(a[1], a[2], a[3]);
  std::cerr << "usage: rtad_chaos poison BOOTSTRAP TOPIC nul|future|huge|deep|wrong_type|utf8 KEY\n"
               "       rtad_chaos watch BOOTSTRAP TOPIC PG_URL GROUP OUT [user|auto]\n"
               "       rtad_chaos ids BOOTSTRAP TOPIC OUT\n";
  return 2;
} catch (const std::exception& e) {
  std::cerr << "rtad_chaos: " << e.what() << '\n';
  return 1;
}
