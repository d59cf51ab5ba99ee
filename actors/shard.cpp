#include "actors/shard.hpp"

#include "actors/detail/convert.hpp"
#include "actors/detail/log.hpp"
#include "models/explain.hpp"

#include <caf/all.hpp>

namespace rtad {

namespace {

using self_ptr = shard_actor::stateful_pointer<shard_state>;
using clock_type = std::chrono::steady_clock;

profile_actor& profile_for(self_ptr self, const std::string& user, std::int32_t partition) {
  auto& st = self->state;
  auto it = st.profiles.find(user);
  if (it == st.profiles.end()) {
    // Monitored, not linked (see shard()).
    auto actor = self->spawn<caf::monitored>(profile, user, st.cfg.profile);
    it = st.profiles.emplace(user, shard_state::entry{actor, partition, clock_type::now()}).first;
    ++st.cfg.profile.metrics->active_profiles;
  }
  it->second.last_active = clock_type::now();
  if (partition >= 0)
    it->second.partition = partition;
  return it->second.actor;
}

/// The snapshot `t` is scored with: its epoch's, or the newest for one
/// released after waiting too long.
const global_snapshot* snapshot_for(const shard_state& st, const transaction& t) {
  if (const auto* s = st.snapshots.for_epoch(t.epoch))
    return s;
  static const global_snapshot none;
  const auto* newest = st.snapshots.newest();
  return newest ? newest : &none;
}

/// Hands a user's transactions to its profile, each batch with the snapshot
/// of its transactions' epoch.
void deliver(self_ptr self, const std::string& user, std::vector<transaction> txns) {
  auto& st = self->state;
  if (auto p = st.passivating.find(user); p != st.passivating.end()) {
    p->second.push_back(std::move(txns));
    return;
  }
  auto& profile = profile_for(self, user, txns.front().partition);
  // Most batches share one snapshot; split where the epoch's model changes.
  std::size_t from = 0;
  while (from < txns.size()) {
    const auto* snap = snapshot_for(st, txns[from]);
    auto to = from + 1;
    while (to < txns.size() && snapshot_for(st, txns[to]) == snap)
      ++to;
    std::vector<transaction> part;
    if (from == 0 && to == txns.size())
      part = std::move(txns);
    else
      part.assign(std::make_move_iterator(txns.begin() + static_cast<long>(from)),
                  std::make_move_iterator(txns.begin() + static_cast<long>(to)));
    self->send(profile, std::move(part), *snap);
    from = to;
  }
}

/// Standard mode: one global forest over the transaction's own features.
void score_standard(self_ptr self, std::vector<transaction>& txns) {
  auto& st = self->state;
  auto& metrics = *st.cfg.profile.metrics;
  std::vector<scored_transaction> out;
  out.reserve(txns.size());
  for (auto& t : txns) {
    const auto& snap = *snapshot_for(st, t);
    const auto* forest = snap.forest.get();
    auto input = to_input(t);
    auto x = models::compute_standard_features(input);
    auto& threshold =
      st.standard_thresholds.try_emplace(t.partition, st.cfg.standard_threshold).first->second;
    auto v = models::assess_standard(x, forest, snap.population.get(), threshold);
    if (v.calibrated)
      threshold.add(v.score);
    scored_transaction s;
    fill_verdict(s, v);
    if (v.anomalous && forest) {
      auto e = models::explain_standard(*forest, input, x);
      s.explanation = e.summary;
      s.detection_features = explanation_json(e, v);
      metrics.count_anomaly(s.risk);
    }
    std::copy(x.begin(), x.end(), s.features.begin());
    s.feature_count = static_cast<std::uint8_t>(x.size());
    s.txn = std::move(t);
    out.push_back(std::move(s));
  }
  metrics.scored += out.size();
  self->send(st.cfg.profile.sink, std::move(out));
}

/// Asks a profile for its last checkpoint; `done` runs when it is committed.
template <class F>
void passivate(self_ptr self, const std::string& user, F done) {
  auto& st = self->state;
  auto it = st.profiles.find(user);
  if (it == st.profiles.end()) {
    done();
    return;
  }
  auto actor = it->second.actor;
  st.profiles.erase(it);
  st.passivating.emplace(user, std::vector<std::vector<transaction>>{});
  auto finish = [=]() mutable {
    auto& st = self->state;
    auto& metrics = *st.cfg.profile.metrics;
    --metrics.active_profiles;
    ++metrics.passivations;
    auto buffered = std::move(st.passivating[user]);
    st.passivating.erase(user);
    for (auto& txns : buffered)
      deliver(self, user, std::move(txns)); // a fresh profile restores the new checkpoint
    done();
  };
  self->request(actor, caf::infinite, checkpoint_atom::value, true)
    .then([=](bool) mutable { finish(); }, [=](caf::error&) mutable { finish(); });
}

/// Scores transactions whose epoch's model is closed: standard mode here,
/// enhanced mode in one message per user, in Kafka order.
void score(self_ptr self, std::vector<transaction>& txns) {
  if (txns.empty())
    return;
  if (self->state.cfg.mode == config::detection_mode::standard) {
    score_standard(self, txns);
    return;
  }
  std::unordered_map<std::string, std::vector<transaction>> by_user;
  std::vector<std::string> order;
  for (auto& t : txns) {
    auto& v = by_user[t.user_id];
    if (v.empty())
      order.push_back(t.user_id);
    v.push_back(std::move(t));
  }
  for (const auto& user : order)
    deliver(self, user, std::move(by_user[user]));
}

/// Releases partitions whose queue has not moved for the epoch wait.
void release_expired(self_ptr self) {
  auto& st = self->state;
  auto now = clock_type::now();
  std::vector<transaction> expired;
  for (auto& [partition, q] : st.waiting) {
    if (q.empty() || now - st.waiting_since[partition] < st.cfg.epoch_wait)
      continue;
    st.cfg.profile.metrics->epoch_waits_expired += q.size();
    log::warn("shard",
              "transactions waited too long for their epoch's model; scored with the newest" +
                log::fields()("partition", partition)("transactions", q.size()).str());
    for (auto& t : q)
      expired.push_back(std::move(t));
    q.clear();
  }
  score(self, expired);
}

void tick(self_ptr self) {
  auto& st = self->state;
  auto now = clock_type::now();
  std::vector<std::pair<clock_type::time_point, std::string>> by_age;
  for (const auto& [user, e] : st.profiles)
    by_age.emplace_back(e.last_active, user);
  std::sort(by_age.begin(), by_age.end());
  auto over_budget =
    st.profiles.size() > st.cfg.max_profiles ? st.profiles.size() - st.cfg.max_profiles : 0;
  for (std::size_t i = 0; i < by_age.size(); ++i) {
    bool idle = now - by_age[i].first >= st.cfg.passivate_after;
    if (!idle && i >= over_budget)
      break;
    passivate(self, by_age[i].second, [] {});
  }
}

} // namespace

/// Ends the profiles in memory with the shard, as links did.
void stop_profiles(self_ptr self, const caf::error& reason) {
  for (const auto& [user, e] : self->state.profiles)
    self->send_exit(e.actor, reason);
}

shard_actor::behavior_type shard(self_ptr self, shard_config cfg) {
  self->state.cfg = std::move(cfg);
  // Profiles are monitored rather than linked: CAF keeps an actor's links
  // in a list it scans for every linked actor that leaves, and a hand-over
  // that let 42,000 kept profiles go (about 10,000 per shard) kept both
  // cores busy unlinking for two minutes while nothing was scored. A
  // profile that fails still takes its shard down, and the shard's end
  // ends its profiles.
  self->set_down_handler([=](caf::down_msg& m) {
    if (m.reason && m.reason != caf::exit_reason::user_shutdown &&
        m.reason != caf::exit_reason::kill) {
      stop_profiles(self, m.reason);
      self->quit(m.reason);
    }
  });
  self->set_exit_handler([=](caf::exit_msg& m) {
    if (!m.reason)
      return;
    stop_profiles(self, m.reason);
    self->quit(m.reason);
  });
  self->set_exception_handler([=](caf::scheduled_actor*, std::exception_ptr&) -> caf::error {
    stop_profiles(self, caf::exit_reason::unhandled_exception);
    return caf::exit_reason::unhandled_exception;
  });
  self->delayed_send(self, self->state.cfg.tick_interval, tick_atom::value);
  return {
    [=](std::vector<transaction>& txns) {
      auto& st = self->state;
      // A transaction whose epoch's model is not closed waits, and so does
      // everything after it in its partition (a user's order is Kafka's).
      std::vector<transaction> ready;
      ready.reserve(txns.size());
      for (auto& t : txns) {
        auto& q = st.waiting[t.partition];
        if (q.empty() && st.snapshots.for_epoch(t.epoch)) {
          ready.push_back(std::move(t));
        } else {
          if (q.empty())
            st.waiting_since[t.partition] = clock_type::now();
          q.push_back(std::move(t));
        }
      }
      score(self, ready);
    },
    [=](global_snapshot& snap) {
      auto& st = self->state;
      st.snapshots.add(snap.epoch, std::move(snap));
      std::vector<transaction> ready;
      for (auto& [partition, q] : st.waiting) {
        if (!q.empty() && st.snapshots.for_epoch(q.front().epoch))
          st.waiting_since[partition] = clock_type::now();
        while (!q.empty() && st.snapshots.for_epoch(q.front().epoch)) {
          ready.push_back(std::move(q.front()));
          q.pop_front();
        }
      }
      score(self, ready);
    },
    [=](release_atom, std::vector<std::int32_t>& partitions, bool all) {
      auto rp = self->make_response_promise<std::uint64_t>();
      std::vector<std::string> users;
      for (const auto& [user, e] : self->state.profiles)
        // A profile an operator brought in before any transaction of its
        // user (partition unknown) may belong to these partitions: it goes
        // too, or it would later overwrite the new owner's checkpoint.
        if (all || e.partition < 0 ||
            std::find(partitions.begin(), partitions.end(), e.partition) != partitions.end())
          users.push_back(user);
      if (users.empty()) {
        rp.deliver(std::uint64_t{0});
        return rp;
      }
      auto remaining = std::make_shared<std::size_t>(users.size());
      auto count = static_cast<std::uint64_t>(users.size());
      for (const auto& user : users)
        passivate(self, user, [=]() mutable {
          if (--*remaining == 0)
            rp.deliver(count);
        });
      return rp;
    },
    [=](discard_atom, std::vector<std::int32_t>& partitions) {
      auto& st = self->state;
      std::uint64_t dropped = 0;
      for (auto it = st.profiles.begin(); it != st.profiles.end();) {
        const auto& e = it->second;
        if (std::find(partitions.begin(), partitions.end(), e.partition) == partitions.end()) {
          ++it;
          continue;
        }
        self->send(e.actor, discard_atom::value);
        --st.cfg.profile.metrics->active_profiles;
        ++dropped;
        it = st.profiles.erase(it);
      }
      return dropped;
    },
    [=](label_atom, label& l) -> caf::result<bool> {
      auto it = self->state.profiles.find(l.user_id);
      if (it == self->state.profiles.end())
        return false; // applied when the owner next restores this user
      return self->delegate(it->second.actor, label_atom::value, std::move(l));
    },
    [=](profile_atom, std::string& user) {
      // An operator's request brings the user into memory if needed (the
      // admin client asks the node that owns the user).
      return self->delegate(profile_for(self, user, -1), profile_atom::value);
    },
    [=](retrain_atom, std::string& user) {
      return self->delegate(profile_for(self, user, -1), retrain_atom::value);
    },
    [=](freeze_atom, std::string& user, bool frozen) {
      return self->delegate(profile_for(self, user, -1), freeze_atom::value, frozen);
    },
    [=](threshold_atom, std::string& user, double value) {
      return self->delegate(profile_for(self, user, -1), threshold_atom::value, value);
    },
    [=](floor_atom, double floor) {
      auto& st = self->state;
      st.cfg.profile.params.threshold.floor = floor;
      st.cfg.standard_threshold.floor = floor;
      for (auto& [partition, threshold] : st.standard_thresholds)
        threshold.set_floor(floor);
      for (const auto& [user, e] : st.profiles)
        self->send(e.actor, floor_atom::value, floor);
    },
    [=](tick_atom) {
      release_expired(self);
      if (self->state.cfg.mode == config::detection_mode::enhanced)
        tick(self);
      self->delayed_send(self, self->state.cfg.tick_interval, tick_atom::value);
    },
    [=](ping_atom) { return ping_atom::value; },
  };
}

} // namespace rtad
