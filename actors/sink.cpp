#include "actors/sink.hpp"

#include "actors/detail/log.hpp"
#include "actors/detail/wall_clock.hpp"

#include <caf/all.hpp>

namespace rtad {

namespace {

using self_ptr = sink_actor::stateful_pointer<sink_state>;
using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

constexpr milliseconds first_backoff{100};

std::size_t lane_of(const sink_state& st, std::int32_t partition) {
  return partition < 0 ? 0 : static_cast<std::size_t>(partition) % st.lanes.size();
}

bool has_work(const sink_state& st, std::size_t i) {
  const auto& l = st.lanes[i];
  return !l.rows.empty() || !l.quarantined.empty() || !l.checkpoints.empty() ||
         (i == 0 && (!st.applied_labels.empty() || st.global_cp));
}

/// Each committed row's time from its Kafka message to now: one clock read
/// per batch, the rows bucketed locally, so the shared histogram sees one
/// add per bucket.
void observe_latency(node_metrics& m, const std::vector<const scored_transaction*>& rows) {
  const auto now_ms = wall_clock_ms();
  histogram::local l;
  for (const auto* r : rows)
    if (r->txn.kafka_time_ms > 0)
      l.observe(static_cast<double>(std::max<std::int64_t>(0, now_ms - r->txn.kafka_time_ms)) /
                1000.0);
  m.latency.add(l);
}

void update_gauges(sink_state& st) {
  std::size_t buffered = 0, outstanding = 0;
  auto now = clock_type::now();
  std::optional<clock_type::time_point> stalled_since;
  for (std::size_t i = 0; i < st.lanes.size(); ++i) {
    auto& l = st.lanes[i];
    buffered += l.rows.size() + (l.flight ? l.flight->rows.size() : 0);
    outstanding += l.marks.outstanding();
    bool busy = l.flight || has_work(st, i);
    if (busy && !l.busy)
      l.progress_at = now;
    l.busy = busy;
    if (busy && (!stalled_since || l.progress_at < *stalled_since))
      stalled_since = l.progress_at;
  }
  st.cfg.metrics->sink_buffered = buffered;
  st.cfg.metrics->in_flight = outstanding;
  st.cfg.metrics->sink_stalled_since_ns =
    stalled_since ? stalled_since->time_since_epoch().count() : 0;
}

void arm_timer(self_ptr self, milliseconds after) {
  if (self->state.timer_armed)
    return;
  self->state.timer_armed = true;
  // Without a wait the flush goes behind the messages already in the
  // mailbox: whatever arrived during a lane's last write becomes its next
  // batch (group commit), so rows wait about one write, not a fixed interval.
  if (after.count() == 0)
    self->send(self, flush_atom::value);
  else
    self->delayed_send(self, after, flush_atom::value);
}

/// Answers drain requests whose partitions have nothing left to store.
void settle_drains(self_ptr self) {
  auto& st = self->state;
  auto it = st.drains.begin();
  while (it != st.drains.end()) {
    bool drained = std::all_of(it->first.begin(), it->first.end(), [&](std::int32_t p) {
      return st.lanes[lane_of(st, p)].marks.drained(p);
    });
    if (drained) {
      it->second.deliver(true);
      it = st.drains.erase(it);
    } else {
      ++it;
    }
  }
}

/// Hands the population model what a flight committed: its rows and the
/// watermarks they moved (with no rows too: a quarantined message closes
/// epochs as well).
void forward_to_global(self_ptr self, const sink_flight& f) {
  auto& st = self->state;
  if (!st.global)
    return;
  stored_rows out;
  for (const auto& r : f.rows) {
    // Every row, flagged or not: a forest that learns only from what it let
    // pass never learns that a new user's first transactions (everything
    // novel) are common, keeps flagging them and never sees more of them.
    // Fraud is a fraction of a percent of the rows; the forest tolerates it.
    if (r.feature_count > 0) {
      out.partitions.push_back(r.txn.partition);
      out.offsets.push_back(r.txn.offset);
      out.rows.insert(out.rows.end(), r.features.begin(), r.features.begin() + r.feature_count);
      out.scores.push_back(
        static_cast<float>(r.global_score));             // which evidence the forest corroborates
      out.categories.push_back(r.txn.merchant_category); // the population's category mix
      out.user_scores.push_back(static_cast<float>(r.user_score)); // whether users' forests agree
    }
  }
  for (const auto& [p, next] : f.batch.watermarks) {
    out.watermark_partitions.push_back(p);
    out.watermarks.push_back(next);
  }
  if (!out.partitions.empty() || !out.watermarks.empty())
    self->send(st.global, std::move(out));
}

void written(self_ptr self, std::size_t i, const write_outcome& out);

/// Hands lane `i`'s flight to its writer.
void send_flight(self_ptr self, std::size_t i) {
  auto& flight = self->state.lanes[i].flight;
  flight->writing = true;
  self->request(self->state.lanes[i].writer, caf::infinite, batch_ref(flight, &flight->batch))
    .then([=](write_outcome& out) { written(self, i, out); },
          [=](caf::error& e) {
            written(self, i, write_outcome{self->system().render(e), 0});
          });
}

/// Moves what lane `i` gathered into a flight and sends it; the lane must be free.
void launch(self_ptr self, std::size_t i) {
  auto& st = self->state;
  auto& lane = st.lanes[i];
  auto f = std::make_shared<sink_flight>();
  auto complete = [&](std::int32_t p, std::int64_t o) {
    if (p < 0)
      return;
    if (auto id = lane.marks.complete(p, o))
      f->credited.push_back(*id);
  };
  auto n = std::min(lane.rows.size(), st.cfg.batch_rows);
  if (n == lane.rows.size()) {
    // Usually everything the lane has: taken whole, not moved row by row
    // (moving each row's strings was about 2 % of a node's CPU).
    f->rows.swap(lane.rows);
  } else {
    f->rows.assign(std::make_move_iterator(lane.rows.begin()),
                   std::make_move_iterator(lane.rows.begin() + static_cast<long>(n)));
    lane.rows.erase(lane.rows.begin(), lane.rows.begin() + static_cast<long>(n));
  }
  f->quarantined = std::exchange(lane.quarantined, {});
  const auto taken = lane.rows_in - lane.rows.size(); // rows ever moved into a flight
  while (!lane.checkpoints.empty() && lane.checkpoints.front().after_rows <= taken) {
    f->checkpoints.push_back(std::move(lane.checkpoints.front().checkpoint));
    lane.checkpoints.pop_front();
  }
  auto& b = f->batch;
  if (i == 0) {
    b.applied_labels = std::exchange(st.applied_labels, {});
    f->global = std::exchange(st.global_cp, std::nullopt);
  }
  for (const auto& r : f->rows) {
    if (!r.duplicate)
      b.rows.push_back(&r);
    complete(r.txn.partition, r.txn.offset);
  }
  for (const auto& q : f->quarantined) {
    b.quarantined.push_back(&q);
    complete(q.partition, q.offset);
  }
  for (const auto& c : f->checkpoints)
    b.checkpoints.push_back(&c.first);
  if (f->global)
    b.global = &f->global->first;
  b.watermarks = lane.marks.watermarks();
  auto claim = [&](std::int32_t p) {
    if (auto it = st.owner_epochs.find(p); it != st.owner_epochs.end())
      b.owner_epochs[p] = it->second;
  };
  for (const auto* r : b.rows)
    claim(r->txn.partition);
  for (const auto* q : b.quarantined)
    claim(q->partition);
  for (const auto* c : b.checkpoints)
    claim(c->learned_partition);
  for (const auto& [p, next] : b.watermarks)
    claim(p);
  if (b.empty())
    return;
  lane.flight = std::move(f);
  send_flight(self, i);
}

/// Starts every free lane that has something, whether or not a batch is full.
void launch_all(self_ptr self) {
  auto& st = self->state;
  for (std::size_t i = 0; i < st.lanes.size(); ++i)
    if (!st.lanes[i].flight && has_work(st, i))
      launch(self, i);
}

void failed(self_ptr self, std::size_t i, const std::string& error) {
  auto& st = self->state;
  auto& lane = st.lanes[i];
  auto& m = *st.cfg.metrics;
  // The flight stays as it is and goes again: its offsets stay tentative,
  // and nothing newer of its partitions is sent before it commits.
  lane.flight->writing = false;
  lane.backoff = std::min(st.cfg.max_backoff, std::max(first_backoff, lane.backoff * 2));
  lane.retry_at = clock_type::now() + lane.backoff;
  ++m.sink_errors;
  m.db_available = false;
  // First failure, then every tenth: an outage should not flood the log.
  if (++lane.failures % 10 == 1)
    log::warn("sink", "write failed, will retry" +
                        log::fields()("writer", i)("buffered", m.sink_buffered.load())(
                          "retry_ms", lane.backoff.count())("error", log::quote(error))
                          .str());
  arm_timer(self, lane.backoff);
}

void written(self_ptr self, std::size_t i, const write_outcome& out) {
  auto& st = self->state;
  auto& lane = st.lanes[i];
  if (!out.error.empty()) {
    failed(self, i, out.error);
    return;
  }
  auto& m = *st.cfg.metrics;
  auto f = std::move(lane.flight);
  if (!m.db_available)
    log::info("sink", "PostgreSQL is back; writing resumed" +
                        log::fields()("writer", i)("failed_attempts", lane.failures).str());
  lane.failures = 0;
  lane.backoff = milliseconds{0};
  lane.progress_at = clock_type::now();
  m.db_available = true;
  lane.marks.commit();
  for (auto id : f->credited) {
    auto it = st.announcements.find(id);
    if (it != st.announcements.end() && --it->second.remaining == 0) {
      it->second.promise.deliver(it->second.count);
      st.announcements.erase(it);
    }
  }
  for (auto& c : f->checkpoints)
    c.second.deliver(true);
  if (f->global)
    for (auto& rp : f->global->second)
      rp.deliver(true);
  m.checkpoints += f->checkpoints.size();
  forward_to_global(self, *f);
  m.stored_rows +=
    f->batch.rows.size() - std::min<std::size_t>(f->batch.rows.size(), out.refused + out.fenced);
  m.fenced += out.fenced;
  m.quarantined += out.refused;
  ++m.sink_batches;
  m.sink_batch_rows_last = f->rows.size();
  m.sink_batch_us_last = out.micros;
  m.sink_batch_us_total += out.micros;
  m.sink_write.observe(static_cast<double>(out.micros) / 1e6);
  observe_latency(m, f->batch.rows);
  update_gauges(st);
  settle_drains(self);
  if (lane.rows.size() >= st.cfg.batch_rows)
    self->send(self, flush_atom::value); // more full batches: keep going, but let messages in
  else if (has_work(st, i))
    arm_timer(self, st.cfg.flush_interval);
}

/// Something arrived for lane `i`.
void buffered(self_ptr self, std::size_t i) {
  auto& st = self->state;
  update_gauges(st);
  if (st.lanes[i].flight)
    return; // its answer (or retry) takes the lane on
  if (st.lanes[i].rows.size() >= st.cfg.batch_rows)
    launch(self, i);
  else
    arm_timer(self, st.cfg.flush_interval);
}

void on_flush(self_ptr self) {
  auto& st = self->state;
  st.timer_armed = false;
  auto now = clock_type::now();
  std::optional<clock_type::time_point> next_retry;
  for (std::size_t i = 0; i < st.lanes.size(); ++i) {
    auto& lane = st.lanes[i];
    if (!lane.flight) {
      if (has_work(st, i))
        launch(self, i);
    } else if (!lane.flight->writing) {
      if (now >= lane.retry_at)
        send_flight(self, i);
      else if (!next_retry || lane.retry_at < *next_retry)
        next_retry = lane.retry_at;
    }
  }
  settle_drains(self);
  // Lanes that are writing go on when their writer answers; only a retry
  // that is not due yet needs the timer (a timer for them would spin).
  if (next_retry)
    arm_timer(
      self, std::max(milliseconds{1}, std::chrono::duration_cast<milliseconds>(*next_retry - now)));
}

} // namespace

sink_actor::behavior_type sink(self_ptr self, sink_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.lanes.resize(std::max<std::size_t>(1, st.cfg.writers));
  for (std::size_t i = 0; i < st.lanes.size(); ++i)
    // Linked: a writer that dies takes the sink with it (the node sees it),
    // and the sink's end ends its writers.
    st.lanes[i].writer =
      st.cfg.spawn_writer
        ? st.cfg.spawn_writer(*self, i)
        : self->spawn<caf::detached + caf::linked>(sink_writer, st.cfg.writer, i == 0);
  return {
    [=](announce_atom, std::vector<offset_batch>& batches) {
      auto& st = self->state;
      auto id = st.next_announcement++;
      sink_state::announcement a;
      for (const auto& b : batches) {
        st.lanes[lane_of(st, b.partition)].marks.announce(b.partition, b.offsets, id);
        if (b.owner_epoch > 0)
          st.owner_epochs[b.partition] = b.owner_epoch;
        a.count += b.offsets.size();
      }
      a.remaining = a.count;
      a.promise = self->make_response_promise<std::uint64_t>();
      update_gauges(st);
      auto promise = a.promise;
      if (a.count == 0)
        promise.deliver(std::uint64_t{0});
      else
        st.announcements.emplace(id, std::move(a));
      return promise;
    },
    [=](std::vector<scored_transaction>& results) {
      auto& st = self->state;
      if (results.empty())
        return;
      // A profile's results share a user, hence a partition and a lane.
      std::vector<bool> touched(st.lanes.size());
      for (auto& r : results) {
        auto i = lane_of(st, r.txn.partition);
        touched[i] = true;
        st.lanes[i].rows.push_back(std::move(r));
        ++st.lanes[i].rows_in;
      }
      for (std::size_t i = 0; i < touched.size(); ++i)
        if (touched[i])
          buffered(self, i);
    },
    [=](quarantine_entry& q) {
      auto i = lane_of(self->state, q.partition);
      self->state.lanes[i].quarantined.push_back(std::move(q));
      buffered(self, i);
    },
    [=](checkpoint_atom, profile_checkpoint& c) {
      // With the rows it learned from: a checkpoint never commits ahead of them.
      auto promise = self->make_response_promise<bool>();
      auto i = lane_of(self->state, c.learned_partition);
      auto& lane = self->state.lanes[i];
      lane.checkpoints.push_back({{std::move(c), promise}, lane.rows_in});
      buffered(self, i);
      return promise;
    },
    [=](checkpoint_atom, global_checkpoint& g) {
      // Only the newest matters; whoever waited for an older one gets the newer.
      auto promise = self->make_response_promise<bool>();
      auto& cp = self->state.global_cp;
      if (!cp)
        cp.emplace(std::move(g), std::vector<checkpoint_promise>{});
      else
        cp->first = std::move(g);
      cp->second.push_back(promise);
      buffered(self, 0);
      return promise;
    },
    [=](label_atom, std::vector<std::int64_t>& ids) {
      auto& l = self->state.applied_labels;
      l.insert(l.end(), ids.begin(), ids.end());
      buffered(self, 0);
    },
    [=](drain_atom, std::vector<std::int32_t>& partitions) {
      auto promise = self->make_response_promise<bool>();
      self->state.drains.emplace_back(std::move(partitions), promise);
      launch_all(self); // no waiting for a batch to fill
      settle_drains(self);
      return promise;
    },
    [=](subscribe_atom, global_model_actor g) { self->state.global = std::move(g); },
    [=](flush_atom) { on_flush(self); },
    [=](ping_atom) { return ping_atom::value; },
  };
}

} // namespace rtad
