#include "actors/kafka_source.hpp"

#include "actors/detail/by_user_ordinals.hpp"
#include "actors/detail/convert.hpp"
#include "actors/detail/handover.hpp"
#include "actors/detail/kafka_config.hpp"
#include "actors/detail/log.hpp"
#include "actors/detail/pg_array.hpp"
#include "actors/detail/wall_clock.hpp"
#include "actors/repartitioner.hpp"
#include "messages/codec.hpp"
#include "messages/errors.hpp"

#include <caf/all.hpp>
#include <limits>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

namespace rtad {

namespace {

using self_ptr = source_actor::stateful_pointer<source_state>;
using clock_type = std::chrono::steady_clock;

constexpr std::chrono::seconds lag_interval{2};
constexpr std::chrono::seconds offsets_retry{1};
constexpr std::chrono::milliseconds handover_poll{250};
/// A partition at the end of its log holds nobody back (below, at_end). The
/// by-user topic, filled by the repartition stage from a full input topic,
/// ends between the stage's batches too (up to its merge wait of 1 s):
/// declared at their end there, its partitions' rows reached the population
/// model whenever they came, and two runs of one stream through the stage
/// differed in 1,890 of 10,000 scores. There, an end counts once the last
/// message says the stage had caught up (caught_up_header), or after
/// `quiet_end` with nothing more.
constexpr std::chrono::seconds quiet_end{3};

/// Where a claimed partition resumes, and the claim.
struct claimed_partition {
  std::int64_t next_offset = 0; ///< 0: from the beginning
  std::int64_t owner_epoch = 0;
  /// Another node still hands this partition's profiles over (actors/detail/handover.hpp).
  std::optional<handover_marks::standing_mark> handover;
};

/// Claims `partitions` for this node in PostgreSQL (node, owner_epoch one
/// higher; see db/migrations/007) and reads their committed offsets, in one
/// transaction: a previous owner's sink transaction still running holds the
/// rows, so the claim waits for its commit and then reads the offsets it
/// left; any later one finds the claim gone and writes nothing. Waits while
/// PostgreSQL is away, because starting anywhere else would lose or repeat
/// transactions.
std::map<std::int32_t, claimed_partition> claim(const source_config& cfg,
                                                const std::vector<std::int32_t>& partitions) {
  for (;;) {
    try {
      pqxx::connection c(cfg.pg_url);
      pqxx::work w(c);
      std::map<std::int32_t, claimed_partition> out;
      for (const auto& row : w.exec_params(
             "insert into kafka_offsets as o (consumer_group, topic, kafka_partition, next_offset,"
             " node, owner_epoch, updated_at) select $1, $2, p, 0, $4, 1, now()"
             " from unnest($3::int[]) p on conflict (consumer_group, topic, kafka_partition)"
             " do update set node = excluded.node, owner_epoch = o.owner_epoch + 1,"
             // Its own mark: the profiles are still here (or were dropped).
             " handover_from = nullif(o.handover_from, excluded.node),"
             " handover_epoch = case when o.handover_from = excluded.node then null"
             " else o.handover_epoch end,"
             " updated_at = now() returning kafka_partition, next_offset, owner_epoch,"
             " handover_from, handover_epoch",
             cfg.group, cfg.topic, pg_number_array(partitions), cfg.node)) {
        auto& c = out[row[0].as<std::int32_t>()];
        c.next_offset = row[1].as<std::int64_t>();
        c.owner_epoch = row[2].as<std::int64_t>();
        if (!row[3].is_null())
          c.handover = handover_marks::standing_mark{row[3].as<std::string>(),
                                                     row[4].as<std::int64_t>(), true};
      }
      w.commit();
      return out;
    } catch (const std::exception& e) {
      log::warn("kafka_source", "cannot claim partitions, retrying" +
                                  log::fields()("error", log::quote(e.what())).str());
      std::this_thread::sleep_for(offsets_retry);
    }
  }
}

/// A message the repartition stage passed on undecoded is quarantined under
/// the name of the message its producer sent (repartitioner.hpp).
void name_origin(RdKafka::Message& msg, quarantine_entry& q) {
  auto* headers = msg.headers();
  if (!headers)
    return;
  auto h = headers->get_last(origin_header);
  if (h.err() != RdKafka::ERR_NO_ERROR || !h.value())
    return;
  std::istringstream in(std::string(static_cast<const char*>(h.value()), h.value_size()));
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::string topic;
  if (in >> partition >> offset >> topic && partition >= 0 && offset >= 0) {
    q.topic = topic;
    q.origin_partition = partition;
    q.origin_offset = offset;
  }
}

/// Commits the mirrored offsets to the consumer group (for display only).
void commit_mirror(RdKafka::KafkaConsumer& consumer, source_state& st, bool sync) {
  if (!st.mirror_changed)
    return;
  std::vector<RdKafka::TopicPartition*> parts;
  for (auto [p, next] : st.mirror) {
    parts.push_back(RdKafka::TopicPartition::create(st.cfg.topic, p));
    parts.back()->set_offset(next);
  }
  if (sync)
    consumer.commitSync(parts);
  else
    consumer.commitAsync(parts);
  RdKafka::TopicPartition::destroy(parts);
  st.mirror_changed = false;
}

/// Marks announcement `seq` stored and moves the mirror over every
/// announcement stored in order.
void mirror_stored(source_state& st, std::uint64_t seq) {
  for (auto& [p, q] : st.unmirrored) {
    for (auto& a : q)
      if (a.seq == seq)
        a.stored = true;
    while (!q.empty() && q.front().stored) {
      st.mirror[p] = q.front().next;
      st.mirror_changed = true;
      q.pop_front();
    }
  }
}

std::vector<std::int32_t> ids_of(const std::vector<RdKafka::TopicPartition*>& parts) {
  std::vector<std::int32_t> ids;
  for (const auto* p : parts)
    ids.push_back(p->partition());
  return ids;
}

std::string join(const std::vector<std::int32_t>& ids) {
  std::string s;
  for (auto id : ids)
    s += (s.empty() ? "" : ",") + std::to_string(id);
  return s;
}

handover_marks handovers(const source_config& cfg) {
  return {cfg.pg_url, cfg.group, cfg.topic, cfg.node};
}

void set_paused(RdKafka::KafkaConsumer& consumer, const std::string& topic,
                const std::vector<std::int32_t>& ids, bool paused) {
  if (ids.empty())
    return;
  std::vector<RdKafka::TopicPartition*> parts;
  for (auto id : ids)
    parts.push_back(RdKafka::TopicPartition::create(topic, id));
  if (paused)
    consumer.pause(parts);
  else
    consumer.resume(parts);
  RdKafka::TopicPartition::destroy(parts);
}

/// The global model's epochs wait for every partition it is told of: not
/// for one left unread until its profiles are handed over.
void tell_global_assigned(self_ptr self) {
  auto& st = self->state;
  if (!st.cfg.global)
    return;
  std::vector<std::int32_t> ids;
  for (auto p : st.assigned)
    if (!st.awaiting.count(p))
      ids.push_back(p);
  self->send(st.cfg.global, assign_atom::value, std::move(ids));
}

/// The profiles of `handed` are checkpointed: their marks go, and the new
/// owner reads the partitions.
void handed_over(self_ptr self, const std::map<std::int32_t, std::int64_t>& handed,
                 const std::vector<std::int32_t>& ids, std::uint64_t users,
                 clock_type::time_point began) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - began);
  try {
    // None cleared: the partitions were claimed before this node could mark
    // them (it was stopped or cut off), and its checkpoints were fenced.
    auto cleared = handovers(self->state.cfg).clear(handed);
    log::info("kafka_source",
              std::string(cleared > 0 ? "handed over" : "hand-over overtaken") +
                log::fields()("partitions", join(ids))("users", users)("ms", ms.count()).str());
  } catch (const std::exception& e) {
    // The new owner stops waiting after kafka.handover_timeout_ms.
    log::warn("kafka_source",
              "cannot clear the hand-over marks" +
                log::fields()("partitions", join(ids))("error", log::quote(e.what())).str());
  }
}

} // namespace

/// librdkafka calls this inside consume(), on the source's own thread.
/// Assignment seeks to the offsets in PostgreSQL; revocation first drains the
/// sink and checkpoints the partitions' profiles, so the next owner finds
/// every row committed and every model saved.
class source_rebalancer : public RdKafka::RebalanceCb {
public:
  explicit source_rebalancer(self_ptr self) : self_(self) {}

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& parts) override {
    auto& st = self_->state;
    auto& m = *st.cfg.metrics;
    auto started = clock_type::now();
    auto ids = ids_of(parts);
    std::uint64_t users = 0;
    std::vector<std::int32_t> kept_back, dropped, awaited;
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      auto claims = claim(st.cfg, ids);
      for (auto* p : parts) {
        const auto& c = claims[p->partition()];
        p->set_offset(c.next_offset > 0 ? c.next_offset : RdKafka::Topic::OFFSET_BEGINNING);
        st.owner_epochs[p->partition()] = c.owner_epoch;
        if (c.handover) {
          st.awaiting[p->partition()] = {*c.handover, started};
          awaited.push_back(p->partition());
        }
        if (auto k = st.kept.find(p->partition()); k != st.kept.end()) {
          // Claimed right after our own claim: nobody read it in between,
          // so its profiles know all there is.
          (c.owner_epoch == k->second + 1 ? kept_back : dropped).push_back(p->partition());
          st.kept.erase(k);
        }
      }
      // Those claimed by another node while this one was cut off are out of
      // date: they go (in `dropped` by now). The rest went to other nodes,
      // which restore their users from the last checkpoints and the stored
      // rows after them, or, for partitions marked as handed over, wait for
      // their profiles' checkpoints.
      auto discarded = dropped;
      std::map<std::int32_t, std::int64_t> handed; // with the claim each was read under
      for (const auto& [p, epoch] : st.kept) {
        dropped.push_back(p);
        if (st.handing_over.count(p))
          handed[p] = epoch;
        else
          discarded.push_back(p);
      }
      st.kept.clear();
      st.handing_over.clear();
      // The sink learns the new claims at once, not with the partitions'
      // next messages: a checkpoint of a profile kept back, written before
      // then (when the node leaves), would go under the claim before and be
      // fenced by this one.
      std::vector<offset_batch> claimed;
      for (auto id : ids)
        claimed.push_back({id, {}, st.owner_epochs[id]});
      self_->request(st.cfg.sink, caf::infinite, announce_atom::value, std::move(claimed))
        .then([](std::uint64_t) {});
      discard(discarded);
      hand_over(handed);
      consumer->assign(parts);
      // A partition paused for running ahead when it was last revoked
      // would stay paused.
      consumer->resume(parts);
      set_paused(*consumer, st.cfg.topic, awaited, true);
      st.assigned.insert(ids.begin(), ids.end());
      // Until its first message tells its time, a partition counts as far
      // behind as it can be: the others wait for it. One left unread until
      // its profiles arrive holds nobody back meanwhile.
      for (auto* p : parts)
        st.reading[p->partition()] = {models::epoch_clock(st.cfg.epochs),
                                      st.cfg.epochs.of(std::max<std::int64_t>(0, p->offset())),
                                      st.awaiting.count(p->partition()) > 0};
    } else if (st.abandoned) {
      consumer->unassign(); // leaving after giving up: nothing left to hand over
      return;
    } else {
      auto deadline = clock_type::now() + st.cfg.revoke_timeout;
      if (!drain(ids, deadline)) {
        abandon(*consumer, ids);
        return;
      }
      for (auto id : ids)
        st.awaiting.erase(id);
      // The group waits for this callback: no checkpoints here. What the
      // profiles learnt is in the stored rows (sink.store_all), which a
      // restore catches up from; without them (sink.store_all = false) the
      // partitions are marked as handed over, and the profiles of those that
      // move are checkpointed after the rebalance while their new owner
      // waits for them. A leaving node checkpoints here: it holds back only
      // its own partitions, and nothing of it would be left after.
      if (st.stopping || (st.cfg.checkpoint_on_revoke && !handovers(st.cfg).mark(ids))) {
        users = checkpoint(ids, deadline);
      } else {
        for (auto id : ids)
          st.kept[id] = st.owner_epochs[id];
        if (st.cfg.checkpoint_on_revoke)
          st.handing_over.insert(ids.begin(), ids.end());
      }
      // Drained: everything announced for them is stored.
      for (auto id : ids)
        if (auto q = st.unmirrored.find(id); q != st.unmirrored.end() && !q->second.empty()) {
          st.mirror[id] = q->second.back().next;
          st.mirror_changed = true;
        }
      commit_mirror(*consumer, st, true);
      for (auto id : ids) {
        st.unmirrored.erase(id);
        st.mirror.erase(id);
      }
      consumer->unassign();
      for (auto id : ids)
        st.assigned.erase(id);
    }
    for (auto id : ids) {
      st.started.erase(id);
      if (err != RdKafka::ERR__ASSIGN_PARTITIONS) {
        st.reading.erase(id);
        st.held.erase(id);
      }
    }
    tell_global_assigned(self_);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started);
    ++m.rebalances;
    m.last_rebalance_ms = static_cast<std::uint64_t>(ms.count());
    m.last_rebalance_users = users;
    m.last_rebalance_at = wall_clock_s();
    m.set_partitions({st.assigned.begin(), st.assigned.end()});
    m.ready = !st.assigned.empty() && !st.stopping;
    log::fields line;
    line("partitions", join(ids));
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS)
      line("kept", join(kept_back))("dropped", join(dropped))("awaiting", join(awaited));
    else
      line("users_moved", users);
    log::info("kafka_source",
              std::string(err == RdKafka::ERR__ASSIGN_PARTITIONS ? "assigned" : "revoked") +
                line("ms", ms.count()).str());
  }

private:
  /// Blocks until the sink committed everything of `ids`, or `deadline`;
  /// whether it did.
  bool drain(const std::vector<std::int32_t>& ids, clock_type::time_point deadline) {
    caf::scoped_actor blocking{self_->system()};
    bool drained = false;
    blocking->request(self_->state.cfg.sink, left(deadline), drain_atom::value, ids)
      .receive([&](bool) { drained = true; },
               [&](caf::error& e) {
                 log::error("kafka_source", "drain failed: " + self_->system().render(e));
               });
    return drained;
  }

  /// Blocks until the shards checkpointed and passivated the profiles of
  /// `ids`, or `deadline`; returns how many. A shard that overruns goes on
  /// in the background: its checkpoints are fenced once another node claims
  /// the partitions, and the new owner restores from the ones before.
  std::uint64_t checkpoint(const std::vector<std::int32_t>& ids, clock_type::time_point deadline) {
    caf::scoped_actor blocking{self_->system()};
    std::uint64_t users = 0;
    for (const auto& shard : self_->state.cfg.shards)
      blocking->request(shard, left(deadline), release_atom::value, ids, false)
        .receive([&](std::uint64_t n) { users += n; },
                 [&](caf::error& e) {
                   log::error("kafka_source", "release failed: " + self_->system().render(e));
                 });
    return users;
  }

  /// The sink did not store what was read of `ids` in kafka.revoke_timeout_ms
  /// (PostgreSQL wedged, a result that never came): the group waits for this
  /// callback, so the node gives the partitions up as a crash would. Their
  /// offsets stay where they are, the profiles go (they may have learnt what
  /// is not stored), nothing more is read, and the source ends with an error,
  /// which stops the node (exit code 1) for its supervisor to restart. What
  /// the sink still holds commits before another node's claim or is fenced.
  void abandon(RdKafka::KafkaConsumer& consumer, const std::vector<std::int32_t>& ids) {
    auto& st = self_->state;
    log::error(
      "kafka_source",
      "a revocation could not store what was read within kafka.revoke_timeout_ms;"
      " leaving it to the partitions' next owner and stopping the node" +
        log::fields()("partitions", join(ids))("timeout_ms", st.cfg.revoke_timeout.count()).str());
    st.stopping = true;
    st.abandoned = true;
    st.cfg.metrics->ready = false;
    discard(ids);
    consumer.unassign();
    st.assigned.clear();
    st.kept.clear();
    st.cfg.metrics->set_partitions({});
  }

  static caf::duration left(clock_type::time_point deadline) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
    return caf::duration{std::max(ms, std::chrono::milliseconds{1})};
  }

  /// Checkpoints and passivates the profiles of `handed` (partition and the
  /// claim it was read under) in the background, then clears their marks:
  /// their new owner reads them from then on.
  void hand_over(const std::map<std::int32_t, std::int64_t>& handed) {
    if (handed.empty())
      return;
    auto& st = self_->state;
    std::vector<std::int32_t> ids;
    for (const auto& [p, epoch] : handed)
      ids.push_back(p);
    auto pending = std::make_shared<std::size_t>(st.cfg.shards.size());
    auto users = std::make_shared<std::uint64_t>(0);
    auto self = self_;
    auto began = clock_type::now();
    auto one_done = [=] {
      if (--*pending == 0)
        handed_over(self, handed, ids, *users, began);
    };
    for (const auto& shard : st.cfg.shards)
      self_->request(shard, caf::duration{st.cfg.handover_timeout}, release_atom::value, ids, false)
        .then([=](std::uint64_t n) { *users += n, one_done(); },
              [=](caf::error& e) {
                log::warn("kafka_source",
                          "a hand-over's checkpoints failed: " + self->system().render(e));
                one_done();
              });
  }

  /// Drops the profiles of `ids` without checkpoints. From this actor, so
  /// the shards see it before any transaction of the new assignment.
  void discard(const std::vector<std::int32_t>& ids) {
    if (ids.empty())
      return;
    for (const auto& shard : self_->state.cfg.shards)
      self_->request(shard, caf::infinite, discard_atom::value, ids)
        .then([](std::uint64_t) {}, [](caf::error&) {}); // a shard that is gone has nothing to drop
  }

  self_ptr self_;
};

namespace {

void check_lag(self_ptr self) {
  auto& st = self->state;
  auto now = clock_type::now();
  if (now - st.last_lag_check < lag_interval || st.assigned.empty())
    return;
  st.last_lag_check = now;
  std::vector<RdKafka::TopicPartition*> parts;
  for (auto p : st.assigned)
    parts.push_back(RdKafka::TopicPartition::create(st.cfg.topic, p));
  std::int64_t lag = 0;
  if (st.consumer->position(parts) == RdKafka::ERR_NO_ERROR)
    for (auto* p : parts) {
      std::int64_t low = 0, high = 0;
      if (st.consumer->get_watermark_offsets(st.cfg.topic, p->partition(), &low, &high) ==
            RdKafka::ERR_NO_ERROR &&
          p->offset() >= 0)
        lag += std::max<std::int64_t>(0, high - p->offset());
    }
  RdKafka::TopicPartition::destroy(parts);
  st.cfg.metrics->consumer_lag = lag;
  commit_mirror(*st.consumer, st, false);
}

/// Ends a source whose revocation gave up (source_rebalancer::abandon): it
/// leaves the group (nothing is assigned) and quits with an error, which
/// stops the node.
void abandoned(self_ptr self) {
  auto& st = self->state;
  st.consumer->close();
  st.consumer.reset();
  self->quit(make_error(errc::handover_overran, "a revocation could not store what was read within "
                                                "kafka.revoke_timeout_ms"));
}

/// Resumes the partitions whose old owner handed their profiles over, is
/// gone, or overran kafka.handover_timeout_ms (then its mark is cleared, and
/// its late checkpoints fenced).
void check_handovers(self_ptr self) {
  auto& st = self->state;
  auto now = clock_type::now();
  if (st.awaiting.empty() || now - st.last_handover_check < handover_poll)
    return;
  st.last_handover_check = now;
  std::vector<std::int32_t> ids;
  for (const auto& [p, a] : st.awaiting)
    ids.push_back(p);
  auto marks = handovers(st.cfg);
  std::map<std::int32_t, handover_marks::standing_mark> standing;
  try {
    standing = marks.standing(ids);
  } catch (const std::exception& e) {
    log::warn("kafka_source", "cannot read the hand-over marks, retrying" +
                                log::fields()("error", log::quote(e.what())).str());
    return;
  }
  std::vector<std::int32_t> ready;
  for (const auto& [p, a] : st.awaiting) {
    auto it = standing.find(p);
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - a.since).count();
    if (it == standing.end() || it->second.from != a.mark.from ||
        it->second.epoch != a.mark.epoch) {
      log::info("kafka_source",
                "hand-over received" +
                  log::fields()("partition", p)("from", a.mark.from)("waited_ms", waited).str());
    } else if (!it->second.from_alive || now >= a.since + st.cfg.handover_timeout) {
      try {
        marks.expire(p, it->second);
      } catch (const std::exception&) {
        continue; // next time
      }
      ++st.cfg.metrics->handovers_expired;
      log::warn("kafka_source",
                "stopped waiting for a hand-over; its users restore from their last checkpoints" +
                  log::fields()("partition", p)("from", a.mark.from)("waited_ms", waited)(
                    "reason", it->second.from_alive ? "kafka.handover_timeout_ms" : "node gone")
                    .str());
    } else {
      continue;
    }
    ready.push_back(p);
  }
  for (auto p : ready)
    st.awaiting.erase(p);
  set_paused(*st.consumer, st.cfg.topic, ready, false);
  if (!ready.empty())
    tell_global_assigned(self);
}

/// `partition` has nothing beyond `next` for now: it holds no other
/// partition back, nor the global model.
void declare_end(self_ptr self, std::int32_t partition, std::int64_t next) {
  auto& st = self->state;
  if (auto r = st.reading.find(partition); r != st.reading.end()) {
    r->second.epoch = r->second.clock.at(next);
    r->second.idle = true;
    r->second.ending_at = -1;
  }
  if (st.cfg.global)
    self->send(st.cfg.global, idle_atom::value, partition, next);
}

/// Declares the ends that stayed quiet for `quiet_end` (before the credit
/// check: what waits for the credit may wait for these epochs to close).
void declare_quiet_ends(self_ptr self) {
  auto now = clock_type::now();
  for (auto& [p, r] : self->state.reading)
    if (r.ending_at >= 0 && !r.idle && now - r.ending_since >= quiet_end)
      declare_end(self, p, r.ending_at);
}

void poll(self_ptr self) {
  auto& st = self->state;
  auto& m = *st.cfg.metrics;
  check_handovers(self);
  declare_quiet_ends(self);
  if (st.abandoned) {
    abandoned(self);
    return;
  }
  if (st.stopping)
    return;
  if (st.in_flight >= st.cfg.credits || st.in_flight_bytes >= st.cfg.credit_bytes) {
    st.paused = true; // the sink's acknowledgements resume polling
    ++m.credit_waits;
    return;
  }
  auto room = std::min<std::uint64_t>(st.cfg.batch_max, st.cfg.credits - st.in_flight);
  std::vector<std::vector<transaction>> per_shard(st.cfg.shards.size());
  // Room for about what the last poll took: growing each shard's vector
  // move by move cost the node 3 % of its CPU while draining a backlog.
  for (auto& v : per_shard)
    v.reserve(std::min<std::size_t>(room, st.last_taken) / per_shard.size() * 5 / 4);
  std::map<std::int32_t, std::vector<std::int64_t>> offsets;
  std::vector<quarantine_entry> refused;
  std::uint64_t taken = 0, taken_bytes = 0;
  auto timeout = static_cast<int>(st.cfg.poll_timeout.count());
  decode_options options; // the clock of this poll judges its messages' timestamps
  options.now = wall_clock_s();
  options.max_future_s = st.cfg.max_future_s;
  options.refuse_unknown_fields = st.cfg.quarantine_unknown_fields;
  std::uint64_t unknown_fields = 0, unknown_here = 0; // a held message is decoded again
  std::uint64_t not_keyed = 0;
  options.unknown_fields = &unknown_here;
  // The global model closes epochs once every partition got that far
  // (models/epoch_model.hpp): it learns where each starts and where each
  // has nothing more for now.
  auto tell_start = [&](std::int32_t partition, std::int64_t offset) {
    if (st.cfg.global && st.started.insert(partition).second)
      self->send(st.cfg.global, start_atom::value, partition, offset);
  };
  // An epoch closes once every partition stored it, so a partition that
  // runs more than an epoch ahead of the slowest would hold credit the
  // slowest needs: it is paused, and what arrived before the pause waits here.
  // The slowest is never held back by itself (its next epoch may jump with
  // time, or it may not have told its time yet).
  auto lead_limit = [&](std::int32_t partition) {
    auto slowest = std::numeric_limits<std::int64_t>::max();
    for (const auto& [p, r] : st.reading)
      if (!r.idle && p != partition)
        slowest = std::min(slowest, r.epoch);
    return slowest == std::numeric_limits<std::int64_t>::max() ? slowest : slowest + 1;
  };
  auto pause_or_resume = [&](std::int32_t partition, bool pause) {
    std::vector<RdKafka::TopicPartition*> tp{
      RdKafka::TopicPartition::create(st.cfg.topic, partition)};
    if (pause)
      st.consumer->pause(tp);
    else
      st.consumer->resume(tp);
    RdKafka::TopicPartition::destroy(tp);
  };
  // The log of `partition` ends at `next` for now.
  auto at_end = [&](std::int32_t partition, std::int64_t next) {
    auto r = st.reading.find(partition);
    if (r == st.reading.end() || !st.cfg.by_user || r->second.caught_up) {
      declare_end(self, partition, next);
    } else if (r->second.ending_at != next && !r->second.idle) {
      r->second.ending_at = next;
      r->second.ending_since = clock_type::now();
    }
  };
  std::vector<std::unique_ptr<RdKafka::Message>> ready;
  for (auto it = st.held.begin(); it != st.held.end();) {
    auto& q = it->second;
    const auto& clock = st.reading[it->first].clock;
    // A held partition's clock stands still: its messages wait in order.
    while (!q.empty() &&
           clock.peek(q.front().msg->offset(), q.front().timestamp) <= lead_limit(it->first)) {
      ready.push_back(std::move(q.front().msg));
      q.pop_front();
    }
    if (q.empty()) {
      pause_or_resume(it->first, false);
      it = st.held.erase(it);
    } else {
      ++it;
    }
  }
  std::size_t next_ready = 0;
  // Released messages go first and all of them (past the credit if need be):
  // their partition is resumed, so nothing else would bring them back.
  // A message over the byte credit is taken all the same: it is read already.
  while ((taken < room && st.in_flight_bytes + taken_bytes < st.cfg.credit_bytes) ||
         next_ready < ready.size()) {
    std::unique_ptr<RdKafka::Message> msg;
    bool released = next_ready < ready.size(); // held, and its turn came
    if (released)
      msg = std::move(ready[next_ready++]);
    else
      msg.reset(st.consumer->consume(taken == 0 ? timeout : 0));
    if (st.abandoned)
      break; // a revocation gave up inside consume(): all read here goes too
    if (msg->err() == RdKafka::ERR__PARTITION_EOF) {
      tell_start(msg->partition(), msg->offset());
      // The end of a topic written in Kafka transactions (the by-user
      // topic) lies past a commit marker, an offset no message has: the
      // end is after the last message taken, or the global model waits for
      // the marker to be stored, and every epoch with it (what the other
      // partitions read waited the epoch wait, then was scored with
      // whatever model was newest: PR-AUC 0.35 instead of 0.89 on one run).
      auto end = msg->offset();
      if (auto r = st.reading.find(msg->partition());
          r != st.reading.end() && r->second.next >= 0 && !st.held.count(msg->partition()))
        end = std::min(end, r->second.next);
      at_end(msg->partition(), end);
      continue;
    }
    if (msg->err() == RdKafka::ERR__TIMED_OUT)
      break;
    if (msg->err() != RdKafka::ERR_NO_ERROR) {
      if (st.consume_errors++ % 100 == 0)
        log::warn("kafka_source", "consume error: " + msg->errstr());
      break;
    }
    std::string_view bytes(static_cast<const char*>(msg->payload()), msg->len());
    unknown_here = 0;
    auto decoded = decode_transaction(bytes, options);
    auto* t = std::get_if<transaction>(&decoded);
    auto timestamp = t ? t->timestamp : models::epoch_clock::no_time;
    if (auto h = st.held.find(msg->partition()); !released && h != st.held.end()) {
      h->second.push_back({std::move(msg), timestamp}); // arrived before the pause took effect
      continue;
    }
    auto& reading = st.reading[msg->partition()];
    // Epochs count messages: in the by-user topic a message's ordinal, for
    // its offsets hold commit markers too (by_user_ordinals.hpp). Never
    // backwards: ordinals counted again from 0 (a by-user topic made anew)
    // would take the partition's epochs back below closed ones, and stall it.
    const auto place = st.cfg.by_user
                         ? std::max(ordinal_of(*msg).value_or(msg->offset()), reading.place + 1)
                         : msg->offset();
    if (reading.idle && !released) {
      // Back from the end of its log: live traffic. Its epochs go on from
      // the furthest partition's, or that one would wait for them (see
      // epoch_clock::skip_to). Live traffic is scored as it comes anyway.
      auto furthest = reading.epoch;
      for (const auto& [p, r] : st.reading)
        furthest = std::max(furthest, r.epoch);
      reading.clock.skip_to(place, timestamp, furthest);
    }
    if (auto ahead = reading.clock.peek(place, timestamp);
        !released && ahead > lead_limit(msg->partition())) {
      pause_or_resume(msg->partition(), true);
      // Where it waits is where it is: the others measure against that.
      reading.epoch = ahead;
      reading.idle = false;
      st.held[msg->partition()].push_back({std::move(msg), timestamp});
      continue;
    }
    unknown_fields += unknown_here;
    auto [epoch, begins] = reading.clock.next(place, timestamp);
    reading.epoch = epoch;
    reading.idle = false;
    reading.ending_at = -1;
    reading.next = msg->offset() + 1;
    reading.place = place;
    reading.caught_up = st.cfg.by_user && caught_up(*msg);
    ++taken;
    taken_bytes += msg->len();
    tell_start(msg->partition(), msg->offset());
    if (begins && st.cfg.global)
      self->send(st.cfg.global, enter_atom::value, msg->partition(), epoch, msg->offset());
    offsets[msg->partition()].push_back(msg->offset());
    auto key = std::string_view(static_cast<const char*>(msg->key_pointer()), msg->key_len());
    if (t && !st.cfg.by_user && key != t->user_id)
      ++not_keyed;
    if (t) {
      t->partition = msg->partition();
      t->offset = msg->offset();
      t->epoch = epoch;
      t->kafka_time_ms = msg->timestamp().timestamp;
      per_shard[shard_of(t->user_id, per_shard.size())].push_back(std::move(*t));
    } else {
      quarantine_entry q;
      q.topic = msg->topic_name();
      q.partition = msg->partition();
      q.offset = msg->offset();
      if (msg->key())
        q.key = *msg->key();
      q.raw = std::string(bytes);
      q.reason = std::get<decode_error>(decoded).reason;
      name_origin(*msg, q);
      refused.push_back(std::move(q));
    }
  }
  // librdkafka signals the end of a partition only when a fetch brings
  // nothing for it: a partition read alone, with live traffic arriving
  // faster than a fetch waits, never gets there. Whether the last message
  // taken was the newest (by the high watermark of the last fetch) tells
  // the same.
  for (const auto& [p, os] : offsets) {
    std::int64_t low = 0, high = 0;
    if (st.consumer->get_watermark_offsets(st.cfg.topic, p, &low, &high) == RdKafka::ERR_NO_ERROR &&
        os.back() + 1 >= high)
      at_end(p, os.back() + 1);
  }
  if (st.abandoned) {
    abandoned(self);
    return;
  }
  st.last_taken = taken;
  if (taken > 0) {
    m.consumed += taken;
    m.quarantined += refused.size();
    m.unknown_fields += unknown_fields;
    m.not_keyed_by_user += not_keyed;
    if (not_keyed > 0 && !st.warned_not_keyed) {
      st.warned_not_keyed = true;
      log::warn("kafka_source", "messages of " + st.cfg.topic +
                                  " are not keyed by their user id: with several nodes, each "
                                  "would score such a user from its share of the user's "
                                  "transactions; set kafka.input_key = auto "
                                  "(rtad_input_not_keyed_by_user_total counts them)");
    }
    st.in_flight += taken;
    st.in_flight_bytes += taken_bytes;
    m.in_flight_bytes = st.in_flight_bytes;
    std::vector<offset_batch> batches;
    const auto seq = ++st.announcements;
    for (auto& [p, os] : offsets) {
      st.unmirrored[p].push_back({seq, os.back() + 1, false});
      batches.push_back({p, std::move(os), st.owner_epochs[p]});
    }
    // Announce first: the sink must know the offsets before any result of them.
    self->request(st.cfg.sink, caf::infinite, announce_atom::value, std::move(batches))
      .then([=](std::uint64_t stored) {
        auto& st = self->state;
        mirror_stored(st, seq);
        st.in_flight -= std::min(stored, st.in_flight);
        st.in_flight_bytes -= std::min<std::uint64_t>(taken_bytes, st.in_flight_bytes);
        st.cfg.metrics->in_flight_bytes = st.in_flight_bytes;
        if (st.paused && st.in_flight < st.cfg.credits &&
            st.in_flight_bytes < st.cfg.credit_bytes) {
          st.paused = false;
          self->send(self, poll_atom::value);
        }
      });
    for (auto& q : refused)
      self->send(st.cfg.sink, std::move(q));
    for (std::size_t i = 0; i < per_shard.size(); ++i)
      if (!per_shard[i].empty())
        self->send(st.cfg.shards[i], std::move(per_shard[i]));
  }
  check_lag(self);
  self->send(self, poll_atom::value);
}

} // namespace

source_actor::behavior_type kafka_source(self_ptr self, source_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  try { // the node holds its id's lock by now: these are a previous process's
    handovers(st.cfg).forget_own();
  } catch (const std::exception& e) {
    log::warn("kafka_source", "cannot clear this node's old hand-over marks" +
                                log::fields()("error", log::quote(e.what())).str());
  }
  st.rebalancer = std::make_shared<source_rebalancer>(self);
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  auto set = [&](const std::string& k, const std::string& v) { set_kafka(*conf, k, v); };
  set("bootstrap.servers", st.cfg.bootstrap);
  set("client.id", "rtad-" + st.cfg.node);
  route_kafka_logs(*conf);
  set_group_member(*conf, st.cfg.group, st.cfg.instance_id, st.cfg.session_timeout);
  set("enable.auto.commit", "false"); // offsets live in PostgreSQL, with the rows
  set("enable.auto.offset.store", "false");
  set("auto.offset.reset", "earliest");
  // The by-user topic may appear after the subscription (the repartition
  // stage makes it): notice within seconds, not librdkafka's five minutes.
  set("topic.metadata.refresh.interval.ms", "10000");
  set("enable.partition.eof", "true"); // an idle partition must not hold the global model back
  // librdkafka prefetches up to 64 MB by default, 6 KB per profile of a node
  // with 10,000: the credit limit bounds what is in flight anyway.
  set("queued.max.messages.kbytes", std::to_string(st.cfg.prefetch_kbytes));
  set_kafka_properties(*conf,
                       st.cfg.properties); // last: the user's word wins where rtad allows one
  if (conf->set("rebalance_cb", st.rebalancer.get(), err) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error("kafka rebalance callback: " + err);
  st.consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!st.consumer)
    throw std::runtime_error("cannot create Kafka consumer: " + err);
  if (auto rc = st.consumer->subscribe({st.cfg.topic}); rc != RdKafka::ERR_NO_ERROR)
    throw std::runtime_error("cannot subscribe to " + st.cfg.topic + ": " + RdKafka::err2str(rc));
  self->send(self, poll_atom::value);
  return {
    [=](poll_atom) { poll(self); },
    [=](stop_atom) {
      auto& st = self->state;
      st.stopping = true;
      st.cfg.metrics->ready = false;
      // close() revokes the assignment, which drains and checkpoints.
      st.consumer->close();
      st.consumer.reset();
      self->quit();
      return done_atom::value;
    },
    [=](ping_atom) { return ping_atom::value; },
  };
}

} // namespace rtad
