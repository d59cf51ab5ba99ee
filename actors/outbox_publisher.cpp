#include "actors/outbox_publisher.hpp"

#include "actors/detail/kafka_config.hpp"
#include "actors/detail/kafka_topics.hpp"
#include "actors/detail/log.hpp"
#include "actors/detail/pg_array.hpp"
#include "actors/repartitioner.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <pqxx/pqxx>

namespace rtad {

/// Delivery reports of one round, by the message's index in it. Each
/// message carries its round and index: a report of an earlier round's
/// purged message that comes late is not taken for this round's.
class delivery_reports : public RdKafka::DeliveryReportCb {
public:
  static constexpr RdKafka::ErrorCode pending = RdKafka::ERR__IN_PROGRESS;

  void start(std::size_t n) {
    ++round_;
    status.assign(n, pending);
  }

  /// What message `i` of this round carries.
  void* tag(std::size_t i) const {
    return reinterpret_cast<void*>((static_cast<std::uintptr_t>(round_) << 32) | i);
  }

  void dr_cb(RdKafka::Message& m) override {
    auto tag = reinterpret_cast<std::uintptr_t>(m.msg_opaque());
    auto i = static_cast<std::size_t>(tag & 0xffffffffu);
    if ((tag >> 32) == round_ && i < status.size())
      status[i] = m.err();
  }

  std::vector<RdKafka::ErrorCode> status;

private:
  std::uint32_t round_ = 0;
};

namespace {

using self_ptr = outbox_publisher_actor::stateful_pointer<publisher_state>;

/// One entry as it goes out; `gone`: its stored row is no more (`rtad db
/// reset`), nothing to send, the entry is dropped.
struct outgoing {
  std::string id; ///< the outbox's key
  bool gone = false;
  std::string key, value;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Errors the broker gives for this message whatever happens: sending it
/// again would fail again, and keep it before the others for ever.
bool permanent(RdKafka::ErrorCode e) {
  switch (e) {
  case RdKafka::ERR_MSG_SIZE_TOO_LARGE:
  case RdKafka::ERR_RECORD_LIST_TOO_LARGE:
  case RdKafka::ERR_INVALID_MSG:
  case RdKafka::ERR_INVALID_RECORD:
    return true;
  default:
    return false;
  }
}

std::unique_ptr<RdKafka::Producer> make_producer(const publisher_config& cfg,
                                                 delivery_reports& reports) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  set_kafka(*conf, "bootstrap.servers", cfg.bootstrap);
  set_kafka(*conf, "client.id",
            "rtad-" + cfg.node + "-" +
              (cfg.kind == outbox_kind::anomalies ? "anomalies" : "quarantine"));
  route_kafka_logs(*conf);
  set_kafka(*conf, "acks", "all"); // an anomaly acknowledged is one the topic keeps
  set_kafka(*conf, "partitioner", "murmur2_random"); // as Java clients place keys
  set_kafka(*conf, "linger.ms", "5");
  set_kafka(*conf, "compression.type", "lz4");
  set_kafka(*conf, "message.timeout.ms", std::to_string(cfg.delivery_timeout.count()));
  set_kafka_properties(*conf, cfg.properties); // last: the user's word wins where rtad allows one
  std::string err;
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&reports), err) !=
      RdKafka::Conf::CONF_OK)
    throw std::runtime_error("cannot set the delivery report callback: " + err);
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
  if (!p)
    throw std::runtime_error("cannot create the producer of " + cfg.topic + ": " + err);
  return p;
}

/// The anomalies queued first, locked for this round (skipping what another
/// node's publisher holds): id, key, message. An entry whose anomaly is gone
/// (`rtad db reset`) comes with a null message.
constexpr const char* take_anomalies_sql =
  "select o.transaction_id, f.user_id, case when f.transaction_id is not null then"
  " json_build_object("
  " 'transaction_id', f.transaction_id, 'user_id', f.user_id, 'amount', f.amount,"
  " 'currency', f.currency, 'timestamp', f.timestamp, 'location', f.location,"
  " 'transaction_type', f.transaction_type, 'merchant_id', f.merchant_id,"
  " 'merchant_name', f.merchant_name, 'merchant_category', f.merchant_category,"
  " 'payment_method', f.payment_method, 'device_type', f.device_type,"
  " 'score', f.detection_score, 'threshold', f.threshold, 'risk_level', f.risk_level,"
  " 'model', f.model_used, 'explanation', f.explanation, 'features', f.detection_features,"
  " 'detection_time', f.detection_time, 'node', f.node)::text end"
  " from anomaly_outbox o left join frauds f using (transaction_id)"
  " order by o.queued_at limit $1 for update of o skip locked";

/// The quarantined messages queued first, likewise: id, key, raw bytes,
/// reason, and where it was produced; a null topic when the row is gone.
constexpr const char* take_quarantine_sql =
  "select o.id::text, q.message_key, q.raw, q.reason, q.kafka_partition, q.kafka_offset,"
  " q.topic from quarantine_outbox o left join quarantine q using (id)"
  " order by o.queued_at limit $1 for update of o skip locked";

std::vector<outgoing> take(pqxx::work& w, const publisher_config& cfg) {
  std::vector<outgoing> out;
  const bool anomalies = cfg.kind == outbox_kind::anomalies;
  auto rows = w.exec_params(anomalies ? take_anomalies_sql : take_quarantine_sql,
                            static_cast<std::int64_t>(cfg.batch));
  for (const auto& row : rows) {
    outgoing o;
    o.id = row[0].as<std::string>();
    if (anomalies) {
      o.gone = row[2].is_null();
      if (!o.gone) {
        o.key = row[1].as<std::string>();
        o.value = row[2].as<std::string>();
      }
    } else {
      o.gone = row[6].is_null();
      if (!o.gone) {
        if (!row[1].is_null())
          o.key = pqxx::binarystring(row[1]).str();
        o.value = pqxx::binarystring(row[2]).str();
        o.headers = {{reason_header, row[3].as<std::string>()},
                     {origin_header, origin_of(row[4].as<std::int32_t>(), row[5].as<std::int64_t>(),
                                               row[6].as<std::string>())}};
      }
    }
    out.push_back(std::move(o));
  }
  return out;
}

/// Produces one message; librdkafka owns its headers once it took it.
RdKafka::ErrorCode produce(RdKafka::Producer& p, const std::string& topic, const outgoing& o,
                           void* tag) {
  auto* headers = RdKafka::Headers::create();
  for (const auto& [name, value] : o.headers)
    headers->add(name, value);
  auto e = p.produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                     const_cast<char*>(o.value.data()), o.value.size(),
                     o.key.empty() ? nullptr : o.key.data(), o.key.size(), 0, headers, tag);
  if (e != RdKafka::ERR_NO_ERROR)
    delete headers;
  return e;
}

struct round_result {
  std::size_t taken = 0, published = 0, set_aside = 0;
  bool failed = false; ///< some were not acknowledged: try again after a pause
  std::string error;
};

/// Sends `entries` and waits for the broker's word on each; fills `done`
/// with the ids to remove from the outbox.
round_result send_and_wait(self_ptr self, const std::vector<outgoing>& entries,
                           std::vector<std::string>& done) {
  auto& st = self->state;
  round_result r;
  r.taken = entries.size();
  st.reports->start(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].gone) { // nothing left to publish
      st.reports->status[i] = RdKafka::ERR_NO_ERROR;
      continue;
    }
    for (;;) {
      auto e = produce(*st.producer, st.cfg.topic, entries[i], st.reports->tag(i));
      if (e == RdKafka::ERR__QUEUE_FULL) { // the broker is slow: let reports drain the queue
        st.producer->poll(50);
        continue;
      }
      if (e != RdKafka::ERR_NO_ERROR)
        st.reports->status[i] = e;
      break;
    }
  }
  st.producer->flush(static_cast<int>(st.cfg.delivery_timeout.count()) + 1000);
  // Whatever is still queued is sent again next round, not left to go later.
  st.producer->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
  st.producer->poll(0);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto e = st.reports->status[i];
    if (e == RdKafka::ERR_NO_ERROR) {
      done.push_back(entries[i].id);
      if (!entries[i].gone)
        ++r.published;
    } else if (permanent(e)) {
      done.push_back(entries[i].id);
      ++r.set_aside;
      log::error("publisher", "set aside: the broker refuses it" +
                                log::fields()("id", log::quote(entries[i].id))(
                                  "topic", st.cfg.topic)("error", log::quote(RdKafka::err2str(e)))
                                  .str());
    } else if (!r.failed) {
      r.failed = true;
      r.error = RdKafka::err2str(e);
    }
  }
  return r;
}

/// One round: take, send, remove what the broker acknowledged. False when
/// something failed and the next round should wait.
bool publish_round(self_ptr self, bool& more) {
  auto& st = self->state;
  auto& m = *st.cfg.metrics;
  const bool anomalies = st.cfg.kind == outbox_kind::anomalies;
  more = false;
  try {
    if (!st.topic_ready) {
      ensure_topic_like(st.cfg.bootstrap, st.cfg.properties, st.cfg.source_topic, st.cfg.topic,
                        st.cfg.topic_timeout_ms);
      st.topic_ready = true;
    }
    if (!st.producer) {
      st.reports = std::make_shared<delivery_reports>();
      st.producer = make_producer(st.cfg, *st.reports);
    }
    if (!st.conn || !st.conn->is_open()) {
      st.conn = std::make_unique<pqxx::connection>(st.cfg.pg_url);
      pqxx::nontransaction(*st.conn).exec("set time zone 'UTC'"); // the messages' times
    }
    pqxx::work w(*st.conn);
    auto entries = take(w, st.cfg);
    std::vector<std::string> done;
    auto r = send_and_wait(self, entries, done);
    if (!done.empty())
      w.exec_params(anomalies
                      ? "delete from anomaly_outbox where transaction_id = any($1::text[])"
                      : "delete from quarantine_outbox where id = any($1::text[]::bigint[])",
                    pg_text_array(done));
    auto oldest = w.exec(std::string("select coalesce(extract(epoch from now() - min(queued_at)),"
                                     " 0) from ") +
                         (anomalies ? "anomaly_outbox" : "quarantine_outbox"))[0][0]
                    .as<double>();
    w.commit();
    m.published += r.published;
    m.set_aside += r.set_aside;
    m.age_ms = static_cast<std::int64_t>(oldest * 1000);
    if (r.failed) {
      ++m.failures;
      log::warn("publisher",
                "not acknowledged, sent again later" +
                  log::fields()("topic", st.cfg.topic)("unacknowledged", r.taken - done.size())(
                    "error", log::quote(r.error))
                    .str());
      return false;
    }
    more = r.taken == st.cfg.batch;
    return true;
  } catch (const std::exception& e) {
    // The broker's metadata or PostgreSQL: both come back, so try again.
    ++m.failures;
    st.conn.reset();
    log::warn("publisher",
              "cannot publish yet" +
                log::fields()("topic", st.cfg.topic)("error", log::quote(e.what())).str());
    return false;
  }
}

void schedule(self_ptr self, bool ok, bool more) {
  auto& st = self->state;
  if (ok) {
    st.backoff = std::chrono::milliseconds{0};
    if (more)
      self->send(self, tick_atom::value);
    else
      self->delayed_send(self, st.cfg.interval, tick_atom::value);
    return;
  }
  st.backoff = std::min(st.cfg.max_backoff, std::max(st.cfg.interval, st.backoff * 2));
  self->delayed_send(self, st.backoff, tick_atom::value);
}

} // namespace

outbox_publisher_actor::behavior_type outbox_publisher(self_ptr self, publisher_config cfg) {
  self->state.cfg = std::move(cfg);
  self->send(self, tick_atom::value);
  return {
    [=](tick_atom) {
      bool more = false;
      bool ok = publish_round(self, more);
      schedule(self, ok, more);
    },
    [=](stop_atom) {
      self->quit(); // what is queued stays in the outbox for the next publisher
      return done_atom::value;
    },
  };
}

} // namespace rtad
