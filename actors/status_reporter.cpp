#include "actors/status_reporter.hpp"

#include "actors/detail/heap.hpp"
#include "actors/detail/log.hpp"
#include "actors/detail/pg_array.hpp"

#include <caf/all.hpp>
#include <pqxx/pqxx>
#include <unistd.h>

namespace rtad {

namespace {

using self_ptr = status_reporter_actor::stateful_pointer<status_state>;

void write_status(self_ptr self, const std::string& state) {
  auto& st = self->state;
  auto& m = *st.cfg.metrics;
  auto now = std::chrono::steady_clock::now();
  auto scored = m.scored.load();
  if (st.last_tick.time_since_epoch().count() > 0) {
    double seconds = std::chrono::duration<double>(now - st.last_tick).count();
    if (seconds > 0)
      st.rate = static_cast<double>(scored - st.last_scored) / seconds;
  }
  st.last_tick = now;
  st.last_scored = scored;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  try {
    if (!st.conn || !st.conn->is_open())
      st.conn = std::make_unique<pqxx::connection>(st.cfg.pg_url);
    pqxx::work w(*st.conn);
    auto at = m.last_rebalance_at.load();
    w.exec_params(
      "insert into node_status (node, host, pid, mode, state, heartbeat_at, admin_endpoint,"
      " partitions, active_profiles, memory_bytes, transactions_total, anomalies_total,"
      " quarantined_total, transactions_per_s, consumer_lag, rebalances, last_rebalance_at,"
      " last_rebalance_ms, last_rebalance_users, metrics) values ($1, $2, $3, $4, $5, now(), $6,"
      " $7::int[], $8, $9, $10, $11, $12, $13, $14, $15,"
      " case when $16::bigint > 0 then to_timestamp($16) end, $17, $18, $19::jsonb)"
      " on conflict (node) do update set host = excluded.host, pid = excluded.pid,"
      " mode = excluded.mode, state = excluded.state, heartbeat_at = now(),"
      " admin_endpoint = excluded.admin_endpoint, partitions = excluded.partitions,"
      " active_profiles = excluded.active_profiles, memory_bytes = excluded.memory_bytes,"
      " transactions_total = excluded.transactions_total,"
      " anomalies_total = excluded.anomalies_total, quarantined_total = excluded.quarantined_total,"
      " transactions_per_s = excluded.transactions_per_s, consumer_lag = excluded.consumer_lag,"
      " rebalances = excluded.rebalances, last_rebalance_at = excluded.last_rebalance_at,"
      " last_rebalance_ms = excluded.last_rebalance_ms,"
      " last_rebalance_users = excluded.last_rebalance_users, metrics = excluded.metrics",
      st.cfg.node, std::string(host), static_cast<int>(getpid()), st.cfg.mode, state,
      st.cfg.admin_endpoint, pg_number_array(m.partitions()),
      static_cast<std::int64_t>(m.active_profiles.load()),
      static_cast<std::int64_t>(m.profile_memory_bytes.load()),
      static_cast<std::int64_t>(m.consumed.load()), static_cast<std::int64_t>(m.flagged.load()),
      static_cast<std::int64_t>(m.quarantined.load()), st.rate, m.consumer_lag.load(),
      static_cast<std::int64_t>(m.rebalances.load()), at,
      static_cast<std::int64_t>(m.last_rebalance_ms.load()),
      static_cast<std::int64_t>(m.last_rebalance_users.load()),
      std::string("{\"in_flight\":") + std::to_string(m.in_flight.load()) +
        ",\"sink_buffered\":" + std::to_string(m.sink_buffered.load()) +
        ",\"stored_rows\":" + std::to_string(m.stored_rows.load()) +
        ",\"passivations\":" + std::to_string(m.passivations.load()) +
        ",\"global_model_version\":" + std::to_string(m.global_model_version.load()) + "}");
    w.commit();
  } catch (const std::exception& e) {
    st.conn.reset();
    log::debug("status", std::string("cannot write node_status: ") + e.what());
  }
}

void trim_heap_if_due(self_ptr self) {
  auto& st = self->state;
  auto now = std::chrono::steady_clock::now();
  if (st.cfg.heap_trim_interval.count() > 0 && now - st.last_trim >= st.cfg.heap_trim_interval) {
    st.last_trim = now;
    auto released = release_free_heap();
    st.cfg.metrics->heap_released_bytes += released;
    auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - now);
    log::debug("status", "heap trimmed" +
                           log::fields()("released_kb", released / 1024)("ms", ms.count()).str());
  }
  st.cfg.metrics->resident_bytes = resident_bytes();
}

} // namespace

status_reporter_actor::behavior_type status_reporter(self_ptr self, status_config cfg) {
  self->state.cfg = std::move(cfg);
  self->send(self, tick_atom::value);
  return {
    [=](tick_atom) {
      const auto& m = *self->state.cfg.metrics;
      trim_heap_if_due(self);
      write_status(self, m.draining ? "draining" : m.ready ? "running" : "starting");
      self->delayed_send(self, self->state.cfg.interval, tick_atom::value);
    },
    [=](stop_atom) {
      write_status(self, "stopped");
      self->quit();
      return done_atom::value;
    },
  };
}

} // namespace rtad
