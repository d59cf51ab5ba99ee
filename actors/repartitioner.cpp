#include "actors/repartitioner.hpp"

#include "actors/detail/by_user_ordinals.hpp"
#include "actors/detail/kafka_config.hpp"
#include "actors/detail/kafka_topics.hpp"
#include "actors/detail/log.hpp"
#include "actors/detail/wall_clock.hpp"
#include "messages/codec.hpp"

#include <caf/all.hpp>
#include <map>

namespace rtad {

namespace {

using self_ptr = source_actor::stateful_pointer<repartition_state>;
using clock_type = std::chrono::steady_clock;

constexpr std::chrono::seconds lag_interval{2};
constexpr std::chrono::seconds retry_after{1};
constexpr int queue_full_poll_ms = 50;
/// Each call of the transaction API waits at most this: the actor answers
/// liveness pings between calls, and a broker away must not look like a wedge.
constexpr int txn_timeout_ms = 10000;
constexpr std::size_t batch_bytes = 16 << 20; ///< a batch of 900 KB messages stays bounded too
/// How long the merge by time waits for a partition with nothing read: one
/// the broker has nothing more of, and one it has more of. Live partitions
/// do not wait (their EOF is their end); these are a history being written,
/// whose producer's next batch for the partition may be on its way. At
/// 200 ms, two nodes on a 60,000-transaction replay stored 44 (alone) and
/// 273 (inside the full test suite) transactions after a later one of
/// their user; 0 to 28 in six runs at 1 s.
constexpr std::chrono::milliseconds merge_wait{1000};
constexpr std::chrono::seconds merge_wait_behind{5};
/// A partition whose newest message is this close to the node's clock is
/// live: at its end, the merge waits for nothing more of it.
constexpr std::int64_t live_within_s = 60;
/// What the merge holds at most while it waits for such a partition.
constexpr std::size_t merge_max_messages = 131072;
constexpr std::size_t merge_max_bytes = 64 << 20;
/// Batches a partition may hold while the merge waits for another.
constexpr std::size_t partition_ahead = 4;
/// What librdkafka prefetches beside what the merge holds.
constexpr int prefetch_kbytes = 8192;

/// What both of its clients start from (kafka.properties come last).
std::unique_ptr<RdKafka::Conf> base_conf(const repartition_config& cfg) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  set_kafka(*conf, "bootstrap.servers", cfg.bootstrap);
  set_kafka(*conf, "client.id", "rtad-" + cfg.node + "-repartition");
  route_kafka_logs(*conf);
  return conf;
}

void set(RdKafka::Conf& conf, const std::string& k, const std::string& v) {
  set_kafka(conf, k, v);
}

/// Takes an RdKafka::Error, returns its text (empty: no error) and frees it.
struct txn_error {
  bool failed = false, fatal = false, abort = false, retriable = false;
  std::string text;
  explicit txn_error(RdKafka::Error* e) {
    if (!e)
      return;
    failed = true;
    fatal = e->is_fatal();
    abort = e->txn_requires_abort();
    retriable = e->is_retriable();
    text = e->str();
    delete e;
  }
};

/// A transactional producer whose id belongs to the lease, as Kafka Streams
/// gave each task one: the node that takes the lease over fences the one
/// that held it and aborts what it left open, at once (with an id per node,
/// a dead holder's open transaction held the by-user partitions back, for
/// the scoring stage reads committed messages only, until the transaction
/// timed out: a stall of 36.5 s after a `kill -9` under the fault campaign).
std::unique_ptr<RdKafka::Producer> make_producer(const repartition_config& cfg) {
  auto conf = base_conf(cfg);
  set(*conf, "transactional.id", "rtad-" + cfg.group);
  // What bounds a transaction nobody takes over.
  set(*conf, "transaction.timeout.ms",
      std::to_string(std::max<long>(10000, cfg.session_timeout.count())));
  set(*conf, "linger.ms", "5");
  set(*conf, "compression.type", "lz4");
  set_kafka_properties(*conf, cfg.properties); // last: the user's word wins where rtad allows one
  std::string err;
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
  if (!p)
    throw std::runtime_error("cannot create the repartition producer: " + err);
  return p;
}

/// Forgets what was read since the last commit: every assigned partition
/// seeks back to its committed offset, as the broker has it (a commit whose
/// outcome was unknown is decided there). Seeks, not a new assignment: an
/// assign() outside the rebalance callback can meet a revocation librdkafka
/// has under way (an assertion in 2.0.2). False while the broker cannot say.
bool rewind(self_ptr self) {
  auto& st = self->state;
  st.batch.clear();
  st.merge.clear();
  std::vector<RdKafka::TopicPartition*> parts;
  if (st.consumer->assignment(parts) != RdKafka::ERR_NO_ERROR || parts.empty()) {
    RdKafka::TopicPartition::destroy(parts);
    return true;
  }
  bool known = st.consumer->committed(parts, txn_timeout_ms) == RdKafka::ERR_NO_ERROR;
  for (auto* p : known ? parts : std::vector<RdKafka::TopicPartition*>{}) {
    if (p->topic() != st.cfg.input_topic)
      continue; // the lease
    if (p->offset() < 0)
      p->set_offset(RdKafka::Topic::OFFSET_BEGINNING); // nothing committed yet
    // A partition not fetching yet starts from its committed offset anyway.
    st.consumer->seek(*p, 0);
  }
  RdKafka::TopicPartition::destroy(parts);
  return known;
}

/// Whether each of these partitions was read up to the end the broker gave
/// with its last fetch (no request is made); not when either is unknown yet
/// (a partition not fetched since its assignment or a seek).
bool caught_up(self_ptr self, const std::vector<std::int32_t>& partitions) {
  auto& st = self->state;
  std::vector<RdKafka::TopicPartition*> parts;
  for (auto p : partitions)
    parts.push_back(RdKafka::TopicPartition::create(st.cfg.input_topic, p));
  bool all = st.consumer->position(parts) == RdKafka::ERR_NO_ERROR;
  for (auto* p : parts) {
    std::int64_t low = 0, high = -1;
    all = all && p->offset() >= 0 &&
          st.consumer->get_watermark_offsets(p->topic(), p->partition(), &low, &high) ==
            RdKafka::ERR_NO_ERROR &&
          high >= 0 && p->offset() >= high;
  }
  RdKafka::TopicPartition::destroy(parts);
  return all;
}

/// Pauses a partition that holds `partition_ahead` batches while the merge
/// waits for another, and resumes it once it does not, as Kafka Streams
/// pauses a partition whose buffer is full. A producer that spreads messages
/// over partitions in runs (librdkafka's sticky partitioner) makes the
/// partitions' times drift apart: the merge drains the partition behind and
/// waits for it, while librdkafka goes on fetching the others evenly until
/// the merge is full and gives up, letting a user's later transactions
/// pass earlier ones. A pause drops what librdkafka prefetched of the
/// partition; it fetches it again once resumed.
void pace(self_ptr self, std::int32_t partition) {
  auto& st = self->state;
  const auto ahead = partition_ahead * st.cfg.batch_max;
  bool pause = !st.merge.complete() && st.merge.size(partition) >= ahead;
  if (pause == (st.paused.count(partition) > 0))
    return;
  std::vector<RdKafka::TopicPartition*> tp{
    RdKafka::TopicPartition::create(st.cfg.input_topic, partition)};
  if (pause) {
    st.consumer->pause(tp);
    st.paused.insert(partition);
  } else {
    st.consumer->resume(tp);
    st.paused.erase(partition);
  }
  RdKafka::TopicPartition::destroy(tp);
}

void check_lag(self_ptr self) {
  auto& st = self->state;
  auto now = clock_type::now();
  if (now - st.last_lag_check < lag_interval)
    return;
  st.last_lag_check = now;
  std::vector<RdKafka::TopicPartition*> parts;
  std::int64_t lag = 0;
  if (st.consumer->assignment(parts) == RdKafka::ERR_NO_ERROR &&
      st.consumer->position(parts) == RdKafka::ERR_NO_ERROR)
    for (auto* p : parts) {
      std::int64_t low = 0, high = 0;
      if (p->topic() == st.cfg.input_topic && p->offset() >= 0 &&
          st.consumer->get_watermark_offsets(p->topic(), p->partition(), &low, &high) ==
            RdKafka::ERR_NO_ERROR)
        lag += std::max<std::int64_t>(0, high - p->offset());
    }
  RdKafka::TopicPartition::destroy(parts);
  st.cfg.metrics->repartition_lag = lag;
}

/// Produces the batch and commits it with its offsets in one transaction;
/// false when it was aborted (the caller rewinds). `caught_up`: the batch
/// ends what the input had (caught_up_header).
bool commit_batch(self_ptr self, bool caught_up) {
  auto& st = self->state;
  auto& m = *st.cfg.metrics;
  if (auto e = txn_error(st.producer->begin_transaction()); e.failed)
    throw std::runtime_error("begin_transaction: " + e.text);
  std::map<std::int32_t, std::int64_t> next; // per input partition
  std::uint64_t rekeyed = 0;
  const auto ordinals = st.ordinals; // what they go back to when the batch fails
  auto failed = [&] {
    st.ordinals = ordinals;
    return false;
  };
  for (const auto& [msg, user, decoded] : st.batch) {
    const std::string* key = msg->key();
    std::string origin;
    if (decoded) {
      if (st.cfg.count_rekeyed && (!key || *key != user))
        ++rekeyed;
      key = &user;
    } else {
      origin = origin_of(msg->partition(), msg->offset(), st.cfg.input_topic);
    }
    // Placed as Kafka's default partitioner places keys (Java clients, `rtad
    // produce`); one that cannot be decoded goes where its input was.
    const auto partition =
      key ? kafka_partition(*key, st.output_partitions) : msg->partition() % st.output_partitions;
    const auto ordinal = st.ordinals[partition]++;
    for (;;) {
      auto* headers = RdKafka::Headers::create();
      headers->add(ordinal_header, std::to_string(ordinal));
      if (caught_up)
        headers->add(caught_up_header, "1");
      if (!origin.empty())
        headers->add(origin_header, origin);
      auto rc = st.producer->produce(st.cfg.output_topic, partition, RdKafka::Producer::RK_MSG_COPY,
                                     msg->payload(), msg->len(), key ? key->data() : nullptr,
                                     key ? key->size() : 0, 0, headers, nullptr);
      if (rc == RdKafka::ERR_NO_ERROR)
        break; // the headers are the message's now
      delete headers;
      if (rc != RdKafka::ERR__QUEUE_FULL) {
        log::warn("repartitioner", "cannot produce; the batch is aborted and read again" +
                                     log::fields()("error", RdKafka::err2str(rc)).str());
        txn_error(st.producer->abort_transaction(txn_timeout_ms));
        return failed();
      }
      st.producer->poll(queue_full_poll_ms);
    }
    next[msg->partition()] = msg->offset() + 1;
  }
  std::vector<RdKafka::TopicPartition*> offsets;
  for (auto [p, o] : next) {
    offsets.push_back(RdKafka::TopicPartition::create(st.cfg.input_topic, p));
    offsets.back()->set_offset(o);
  }
  std::unique_ptr<RdKafka::ConsumerGroupMetadata> group(st.consumer->groupMetadata());
  // The group's generation travels with the offsets: a node the group has
  // since moved on from (stopped, cut off, evicted) cannot commit.
  auto sent =
    txn_error(st.producer->send_offsets_to_transaction(offsets, group.get(), txn_timeout_ms));
  RdKafka::TopicPartition::destroy(offsets);
  auto committed = sent.failed ? sent : txn_error(st.producer->commit_transaction(txn_timeout_ms));
  for (int retry = 0; committed.failed && committed.retriable && !committed.abort && retry < 3;
       ++retry)
    committed = txn_error(st.producer->commit_transaction(txn_timeout_ms));
  if (!committed.failed) {
    m.repartitioned += st.batch.size();
    m.rekeyed += rekeyed;
    st.batch.clear();
    return true;
  }
  ++m.repartition_aborts;
  if (st.errors++ % 100 == 0)
    log::warn("repartitioner", "transaction failed; the batch is read again" +
                                 log::fields()("error", log::quote(committed.text))(
                                   "fatal", committed.fatal ? "yes" : "no")
                                   .str());
  if (committed.fatal) {
    // Fenced, most likely: another node took the lease over while this one
    // stood still. Making a producer again would fence that one in turn, so
    // this node leaves the group and joins it again; the lease then says
    // who goes on.
    st.producer.reset();
    st.leased = false;
    st.consumer->unsubscribe();
    st.subscribed = false;
  } else
    txn_error(st.producer->abort_transaction(txn_timeout_ms));
  return failed();
}

void poll(self_ptr self) {
  auto& st = self->state;
  if (st.stopping)
    return;
  try {
    if (!st.subscribed) {
      const auto& props = st.cfg.properties;
      st.output_partitions = ensure_topic_like(st.cfg.bootstrap, props, st.cfg.input_topic,
                                               st.cfg.output_topic, st.cfg.topic_timeout_ms);
      st.input_partitions =
        topic_partitions(st.cfg.bootstrap, props, st.cfg.input_topic, st.cfg.topic_timeout_ms);
      const auto lease = lease_topic(st.cfg.output_topic);
      ensure_topic(st.cfg.bootstrap, props, lease, 1, st.cfg.topic_timeout_ms);
      if (auto rc = st.consumer->subscribe({lease}); rc != RdKafka::ERR_NO_ERROR)
        throw std::runtime_error("cannot subscribe to " + lease + ": " + RdKafka::err2str(rc));
      st.subscribed = true;
    }
    if (!st.leased) {
      st.producer.reset();
    } else if (!st.producer) {
      auto p = make_producer(st.cfg);
      // Fences the lease's previous holder and aborts its open transaction.
      if (auto e = txn_error(p->init_transactions(txn_timeout_ms)); e.failed) {
        log::warn("repartitioner", "cannot start transactions, retrying" +
                                     log::fields()("error", log::quote(e.text)).str());
        self->delayed_send(self, retry_after, poll_atom::value);
        return;
      }
      // Numbered on from what the previous holder committed.
      st.ordinals = next_ordinals(st.cfg.bootstrap, st.cfg.properties, st.cfg.output_topic,
                                  st.output_partitions, st.cfg.topic_timeout_ms);
      st.producer = std::move(p);
      st.rewind = true;
    }
    // Before reading on, back to what the broker committed.
    if (st.rewind) {
      if (!rewind(self)) {
        self->delayed_send(self, retry_after, poll_atom::value);
        return;
      }
      st.rewind = false;
    }
    auto timeout = static_cast<int>(st.cfg.poll_timeout.count());
    decode_options options; // the scoring stage judges timestamps and fields
    options.now = 0;
    // Read what librdkafka has (waiting for it only while some partition
    // has nothing read yet: it hands over one partition's fetch after
    // another), up to a bound in count and bytes.
    bool wait = st.merge.size() == 0 || !st.merge.complete();
    while (st.merge.size() < merge_max_messages && st.merge.bytes() < merge_max_bytes) {
      std::unique_ptr<RdKafka::Message> msg(st.consumer->consume(wait ? timeout : 0));
      wait = false;
      if (msg->err() == RdKafka::ERR__TIMED_OUT)
        break;
      if (msg->topic_name() != st.cfg.input_topic && msg->err() != RdKafka::ERR_NO_ERROR)
        continue; // the lease partition's end
      if (msg->err() == RdKafka::ERR__PARTITION_EOF) {
        // Live traffic: nothing earlier is on its way, or not by much. A
        // producer writing a history faster than it is read (a replay, a
        // backfill) reaches the end of one partition while its next batch
        // for it, days earlier in event time than what the others hold, is
        // still on its way: the merge waits for it as for a partition with
        // nothing read (merge_wait once caught up). Declared at its end at
        // once, two nodes on such a replay got 334 and 586 transactions
        // before their user's previous one (PR-AUC 0.70 and 0.78, not 0.86).
        auto newest = st.newest_event_s.find(msg->partition());
        if (newest == st.newest_event_s.end() || newest->second >= wall_clock_s() - live_within_s)
          st.merge.at_end(msg->partition());
        continue;
      }
      if (msg->err() != RdKafka::ERR_NO_ERROR) {
        if (st.errors++ % 100 == 0)
          log::warn("repartitioner", "consume error: " + msg->errstr());
        break;
      }
      read_message read;
      read.msg = std::move(msg);
      merge_time at{0, read.msg->timestamp().timestamp};
      auto decoded = decode_transaction(
        std::string_view(static_cast<const char*>(read.msg->payload()), read.msg->len()), options);
      if (auto* t = std::get_if<transaction>(&decoded)) {
        read.user = std::move(t->user_id);
        read.decoded = true;
        at.event_s = t->timestamp;
      } else {
        at.event_s = at.kafka_ms / 1000;
      }
      auto partition = read.msg->partition();
      auto& newest = st.newest_event_s[partition];
      newest = std::max(newest, at.event_s);
      auto bytes = read.msg->len();
      st.merge.add(partition, at, bytes, std::move(read));
      pace(self, partition);
    }
    // A partition with nothing read yet may hold earlier messages: wait for
    // it briefly when it was read to its end (a slow producer), longer when
    // the broker has more or did not say yet (a fetch under way, a partition
    // paused, just assigned or sought), never for good (a partition stuck
    // behind an open transaction). Then it counts as at its end until a
    // message of it comes: librdkafka's partition EOF does not always say so
    // (a pause drops what was fetched before it, and the EOF that followed
    // is not given again).
    auto now = clock_type::now();
    if (st.merge.complete()) {
      st.incomplete_since = {};
    } else if (st.incomplete_since == clock_type::time_point{}) {
      st.incomplete_since = now;
    } else if (auto waited = now - st.incomplete_since;
               waited >= merge_wait_behind ||
               (waited >= merge_wait && caught_up(self, st.merge.missing()))) {
      for (auto p : st.merge.missing())
        st.merge.at_end(p);
      st.incomplete_since = {};
    }
    std::size_t bytes = 0;
    for (const auto& read : st.batch)
      bytes += read.msg->len();
    if (bytes < batch_bytes)
      bytes += st.merge.take(st.batch, st.cfg.batch_max, batch_bytes - bytes);
    for (auto p : std::set<std::int32_t>(st.paused))
      pace(self, p);
    // A batch that is not full waits for the partition the merge waits for
    // (one transaction per message or two would crawl).
    bool full = st.batch.size() >= st.cfg.batch_max || bytes >= batch_bytes;
    if (!full && !st.merge.complete()) {
      self->send(self, poll_atom::value);
      return;
    }
    const bool caught_up = st.merge.size() == 0 && st.merge.complete();
    if (!st.batch.empty() && st.producer && !commit_batch(self, caught_up))
      st.rewind = true;
    if (st.producer)        // gone after a fatal error: made again next time
      st.producer->poll(0); // delivery reports
    check_lag(self);
  } catch (const std::exception& e) {
    log::warn("repartitioner", std::string("retrying after: ") + e.what());
    st.producer.reset();
    st.batch.clear();
    self->delayed_send(self, retry_after, poll_atom::value);
    return;
  }
  self->send(self, poll_atom::value);
}

} // namespace

/// librdkafka calls this inside consume(). No transaction is open then
/// (each batch commits before the next consume), so a revocation only drops
/// what was read and not yet produced.
class repartition_rebalancer : public RdKafka::RebalanceCb {
public:
  explicit repartition_rebalancer(self_ptr self) : self_(self) {}

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& parts) override {
    auto& st = self_->state;
    st.batch.clear();
    st.merge.clear();
    st.paused.clear();
    st.newest_event_s.clear();
    std::set<std::int32_t> assigned;
    st.leased = err == RdKafka::ERR__ASSIGN_PARTITIONS && !parts.empty();
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      // The lease comes with every input partition, from the group's
      // committed offsets; without it this node stands by.
      std::vector<RdKafka::TopicPartition*> inputs;
      for (std::int32_t p = 0; !parts.empty() && p < st.input_partitions; ++p) {
        inputs.push_back(RdKafka::TopicPartition::create(st.cfg.input_topic, p));
        assigned.insert(p);
      }
      auto all = parts;
      all.insert(all.end(), inputs.begin(), inputs.end());
      consumer->assign(all);
      consumer->pause(parts);   // the lease partition carries nothing to fetch
      consumer->resume(inputs); // one paused when it was last revoked would stay so
      RdKafka::TopicPartition::destroy(inputs);
    } else {
      consumer->unassign();
    }
    st.merge.assign(assigned);
    log::info(
      "repartitioner",
      std::string(err == RdKafka::ERR__ASSIGN_PARTITIONS ? "assigned" : "revoked") +
        log::fields()("lease", parts.empty() ? "no" : "yes")("partitions", assigned.size()).str());
  }

private:
  self_ptr self_;
};

source_actor::behavior_type repartitioner(self_ptr self, repartition_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.rebalancer = std::make_shared<repartition_rebalancer>(self);
  auto conf = base_conf(st.cfg);
  set_group_member(*conf, st.cfg.group, st.cfg.instance_id, st.cfg.session_timeout);
  set(*conf, "enable.auto.commit", "false"); // offsets travel in the transactions
  set(*conf, "auto.offset.reset", "earliest");
  set(*conf, "isolation.level", "read_committed");
  set(*conf, "enable.partition.eof", "true"); // the merge by time waits for nobody at its end
  // What the merge holds is read already: librdkafka's default 64 MB of
  // prefetch would come on top of it.
  set(*conf, "queued.max.messages.kbytes", std::to_string(prefetch_kbytes));
  set_kafka_properties(*conf, st.cfg.properties);
  std::string err;
  if (conf->set("rebalance_cb", st.rebalancer.get(), err) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error("kafka rebalance callback: " + err);
  st.consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!st.consumer)
    throw std::runtime_error("cannot create the repartition consumer: " + err);
  self->send(self, poll_atom::value);
  return {
    [=](poll_atom) { poll(self); },
    [=](stop_atom) {
      auto& st = self->state;
      st.stopping = true;
      st.consumer->close(); // between transactions: nothing is open
      st.consumer.reset();
      if (st.producer)
        st.producer->flush(txn_timeout_ms);
      st.producer.reset();
      self->quit();
      return done_atom::value;
    },
    [=](ping_atom) { return ping_atom::value; },
  };
}

} // namespace rtad
