#include "actors/sink.hpp"

#include "actors/log.hpp"

#include <caf/all.hpp>

namespace rtad {

namespace {

using self_ptr = sink_actor::stateful_pointer<sink_state>;
using std::chrono::milliseconds;

constexpr milliseconds first_backoff{100};
constexpr std::chrono::hours retention_interval{1};

void arm_timer(self_ptr self, milliseconds after) {
  if (self->state.timer_armed)
    return;
  self->state.timer_armed = true;
  // Without a wait the flush goes behind the messages already in the
  // mailbox: whatever arrived during the last write becomes one batch
  // (group commit), so rows wait about one write, not a fixed interval.
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
    bool drained = std::all_of(it->first.begin(), it->first.end(),
                               [&](std::int32_t p) { return st.marks.drained(p); });
    if (drained) {
      it->second.deliver(true);
      it = st.drains.erase(it);
    } else {
      ++it;
    }
  }
}

void forward_to_global(self_ptr self, std::size_t count) {
  auto& st = self->state;
  if (!st.global)
    return;
  std::vector<float> rows;
  std::vector<std::string> categories; // the population's category mix (rarity)
  for (std::size_t i = 0; i < count; ++i) {
    const auto& r = st.rows[i];
    // Every row, flagged or not: a forest that learns only from what it let
    // pass never learns that a new user's first transactions (everything
    // novel) are common, keeps flagging them and never sees more of them.
    // Fraud is a fraction of a percent of the rows; the forest tolerates it.
    if (r.feature_count > 0) {
      rows.insert(rows.end(), r.features.begin(), r.features.begin() + r.feature_count);
      categories.push_back(r.txn.merchant_category);
    }
  }
  if (!rows.empty())
    self->send(st.global, observe_atom::value, std::move(rows), std::move(categories));
}

/// Writes one batch; on failure everything stays buffered for a retry.
void flush(self_ptr self) {
  auto& st = self->state;
  auto& m = *st.cfg.metrics;
  write_batch b;
  auto n = std::min(st.rows.size(), st.cfg.batch_rows);
  std::vector<std::pair<std::int32_t, std::int64_t>> completed;
  std::vector<std::uint64_t> credited;
  auto complete = [&](std::int32_t p, std::int64_t o) {
    if (p < 0)
      return;
    completed.emplace_back(p, o);
    if (auto id = st.marks.complete(p, o))
      credited.push_back(*id);
  };
  for (std::size_t i = 0; i < n; ++i) {
    b.rows.push_back(&st.rows[i]);
    complete(st.rows[i].txn.partition, st.rows[i].txn.offset);
  }
  for (const auto& q : st.quarantined) {
    b.quarantined.push_back(&q);
    complete(q.partition, q.offset);
  }
  for (const auto& c : st.checkpoints)
    b.checkpoints.push_back(&c.first);
  b.applied_labels = st.applied_labels;
  if (st.global_cp)
    b.global = &st.global_cp->first;
  b.watermarks = st.marks.watermarks();
  if (b.empty()) {
    settle_drains(self);
    return;
  }
  auto started = std::chrono::steady_clock::now();
  try {
    st.writer->write(b);
  } catch (const std::exception& e) {
    for (const auto& [p, o] : completed)
      st.marks.undo(p, o);
    st.writer->reset();
    st.backoff = std::min(st.cfg.max_backoff, std::max(first_backoff, st.backoff * 2));
    ++m.sink_errors;
    m.db_available = false;
    // First failure, then every tenth: an outage should not flood the log.
    if (++st.failures % 10 == 1)
      log::warn("sink", "write failed, will retry" +
                        log::fields()("buffered", st.rows.size())("retry_ms", st.backoff.count())(
                          "error", log::quote(e.what()))
                          .str());
    arm_timer(self, st.backoff);
    return;
  }
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
              std::chrono::steady_clock::now() - started)
              .count();
  if (!m.db_available)
    log::info("sink", "PostgreSQL is back; writing resumed" +
                        log::fields()("failed_attempts", st.failures).str());
  st.failures = 0;
  m.db_available = true;
  st.backoff = milliseconds{0};
  st.marks.commit();
  for (auto id : credited) {
    auto it = st.announcements.find(id);
    if (it != st.announcements.end() && --it->second.remaining == 0) {
      it->second.promise.deliver(it->second.count);
      st.announcements.erase(it);
    }
  }
  for (auto& c : st.checkpoints)
    c.second.deliver(true);
  if (st.global_cp) {
    for (auto& rp : st.global_cp->second)
      rp.deliver(true);
    st.global_cp.reset();
  }
  m.checkpoints += st.checkpoints.size();
  st.checkpoints.clear();
  st.quarantined.clear();
  st.applied_labels.clear();
  forward_to_global(self, n);
  st.rows.erase(st.rows.begin(), st.rows.begin() + static_cast<long>(n));
  m.stored_rows += n;
  m.sink_buffered = st.rows.size();
  ++m.sink_batches;
  m.sink_batch_rows_last = n;
  m.sink_batch_us_last = static_cast<std::uint64_t>(us);
  m.sink_batch_us_total += static_cast<std::uint64_t>(us);
  m.in_flight = st.marks.outstanding();
  settle_drains(self);
  if (std::chrono::steady_clock::now() - st.last_retention > retention_interval) {
    st.last_retention = std::chrono::steady_clock::now();
    try {
      if (auto dropped = st.writer->apply_retention())
        log::info("sink", "retention" + log::fields()("dropped_partitions", dropped).str());
    } catch (const std::exception& e) {
      log::warn("sink", std::string("retention failed: ") + e.what());
    }
  }
  if (st.rows.size() >= st.cfg.batch_rows)
    self->send(self, flush_atom::value); // more full batches: keep going, but let messages in
}

void buffered(self_ptr self) {
  auto& st = self->state;
  st.cfg.metrics->sink_buffered = st.rows.size();
  if (st.backoff.count() > 0)
    return; // a retry is scheduled; do not hammer a database that is away
  if (st.rows.size() >= st.cfg.batch_rows)
    flush(self);
  else
    arm_timer(self, st.cfg.flush_interval);
}

} // namespace

sink_actor::behavior_type sink(self_ptr self, sink_config cfg) {
  self->state.cfg = std::move(cfg);
  self->state.writer = std::make_unique<pg_writer>(self->state.cfg.writer);
  self->state.last_retention = std::chrono::steady_clock::now() - retention_interval;
  return {
    [=](announce_atom, std::vector<offset_batch>& batches) {
      auto& st = self->state;
      auto id = st.next_announcement++;
      sink_state::announcement a;
      for (const auto& b : batches) {
        st.marks.announce(b.partition, b.offsets, id);
        a.count += b.offsets.size();
      }
      a.remaining = a.count;
      a.promise = self->make_response_promise<std::uint64_t>();
      st.cfg.metrics->in_flight = st.marks.outstanding();
      auto promise = a.promise;
      if (a.count == 0)
        promise.deliver(std::uint64_t{0});
      else
        st.announcements.emplace(id, std::move(a));
      return promise;
    },
    [=](std::vector<scored_transaction>& results) {
      auto& st = self->state;
      for (auto& r : results)
        st.rows.push_back(std::move(r));
      buffered(self);
    },
    [=](quarantine_entry& q) {
      self->state.quarantined.push_back(std::move(q));
      buffered(self);
    },
    [=](checkpoint_atom, profile_checkpoint& c) {
      auto promise = self->make_response_promise<bool>();
      self->state.checkpoints.emplace_back(std::move(c), promise);
      buffered(self);
      return promise;
    },
    [=](checkpoint_atom, global_checkpoint& g) {
      // Only the newest matters; whoever waited for an older one gets the newer.
      auto promise = self->make_response_promise<bool>();
      auto& cp = self->state.global_cp;
      if (!cp)
        cp.emplace(std::move(g), std::vector<caf::typed_response_promise<bool>>{});
      else
        cp->first = std::move(g);
      cp->second.push_back(promise);
      buffered(self);
      return promise;
    },
    [=](label_atom, std::vector<std::int64_t>& ids) {
      auto& l = self->state.applied_labels;
      l.insert(l.end(), ids.begin(), ids.end());
      buffered(self);
    },
    [=](drain_atom, std::vector<std::int32_t>& partitions) {
      auto promise = self->make_response_promise<bool>();
      self->state.drains.emplace_back(std::move(partitions), promise);
      if (self->state.backoff.count() == 0)
        flush(self);
      return promise;
    },
    [=](subscribe_atom, global_model_actor g) { self->state.global = std::move(g); },
    [=](flush_atom) {
      self->state.timer_armed = false;
      flush(self);
      auto& st = self->state;
      if (!st.rows.empty() || !st.checkpoints.empty() || !st.drains.empty() || st.global_cp)
        arm_timer(self, st.backoff.count() > 0 ? st.backoff : st.cfg.flush_interval);
    },
  };
}

} // namespace rtad
