#include "actors/profile.hpp"

#include "actors/detail/convert.hpp"
#include "actors/detail/log.hpp"
#include "actors/detail/rebuild.hpp"
#include "models/explain.hpp"

#include <caf/all.hpp>
#include <chrono>
#include <cmath>

namespace rtad {

namespace {

using self_ptr = profile_actor::stateful_pointer<profile_state>;

constexpr std::size_t recent_scores_kept = 20;
constexpr std::size_t recent_explanations_kept = 5;

/// Runs `f` now if the model is restored, else right after the restore.
template <class F>
void when_ready(self_ptr self, F f) {
  if (self->state.model)
    f();
  else
    self->state.after_restore.emplace_back(std::move(f));
}

template <class T>
void keep_last(std::deque<T>& q, T value, std::size_t n) {
  q.push_back(std::move(value));
  if (q.size() > n)
    q.pop_front();
}

profile_info info_of(const profile_state& st) {
  const auto& m = *st.model;
  profile_info i;
  i.user_id = st.user;
  i.node = st.cfg.node;
  i.active = true;
  i.history_size = static_cast<std::int32_t>(m.history().size());
  i.training_rows = static_cast<std::int32_t>(m.training_rows());
  i.model_version = m.version();
  i.trees = static_cast<std::int32_t>(m.forest().tree_count());
  i.threshold = m.threshold();
  i.threshold_fixed = m.threshold_override().has_value();
  i.frozen = m.frozen();
  i.user_weight = m.user_weight();
  i.last_retrain = m.last_refit_time();
  i.last_seen = m.last_seen_time();
  i.recent_scores.assign(st.recent_scores.begin(), st.recent_scores.end());
  i.recent_explanations.assign(st.recent_explanations.begin(), st.recent_explanations.end());
  i.summary_json = profile_summary_json(m);
  return i;
}

void report_memory(self_ptr self) {
  auto& st = self->state;
  auto now = st.model ? st.model->memory_bytes() : 0;
  st.cfg.metrics->profile_memory_bytes += now;
  st.cfg.metrics->profile_memory_bytes -= st.memory_reported;
  st.memory_reported = now;
}

/// Leaves memory: what it counted in profile_memory_bytes goes with it.
void leave(self_ptr self) {
  self->state.cfg.metrics->profile_memory_bytes -= self->state.memory_reported;
  self->state.memory_reported = 0;
  self->quit();
}

/// Writes a checkpoint; `done` runs once it is committed (or failed).
template <class F>
void checkpoint(self_ptr self, F done) {
  auto& st = self->state;
  st.since_checkpoint = 0;
  self
    ->request(st.cfg.sink, caf::infinite, checkpoint_atom::value, checkpoint_of(st.user, *st.model))
    .then([=](bool ok) mutable { done(ok); },
          [=](caf::error& e) mutable {
            log::warn(
              "profile",
              "checkpoint failed" +
                log::fields()("user", self->state.user)("error", self->system().render(e)).str());
            done(false);
          });
}

void score(self_ptr self, std::vector<transaction>& txns, const global_snapshot& snap) {
  auto& st = self->state;
  auto& m = *st.model;
  auto* global = snap.forest.get();
  auto* population = snap.population.get();
  std::vector<scored_transaction> out;
  out.reserve(txns.size());
  std::uint64_t duplicates = 0;
  const auto began = std::chrono::steady_clock::now(); // the batch as a whole: one clock pair
  for (auto& t : txns) {
    if (m.redelivered(t.transaction_id, {t.partition, t.offset})) {
      scored_transaction s;
      s.duplicate = true;
      s.txn = std::move(t);
      out.push_back(std::move(s));
      ++duplicates;
      continue;
    }
    auto input = to_input(t);
    auto x = m.features(input, population);
    auto v = m.assess(x, global, population);
    scored_transaction s;
    fill_verdict(s, v);
    if (v.anomalous) {
      auto e = models::explain(m, global, input, x, v);
      s.explanation = e.summary;
      s.detection_features = explanation_json(e, v);
      keep_last(st.recent_explanations, t.transaction_id + ": " + e.summary,
                recent_explanations_kept);
      st.cfg.metrics->count_anomaly(s.risk);
    }
    keep_last(st.recent_scores, v.score, recent_scores_kept);
    std::copy(x.begin(), x.end(), s.features.begin());
    s.feature_count = static_cast<std::uint8_t>(x.size());
    if (m.record(input, x, v, t.transaction_id, {t.partition, t.offset}))
      ++st.since_checkpoint;
    s.txn = std::move(t);
    out.push_back(std::move(s));
  }
  if (!out.empty())
    st.cfg.metrics->scoring.observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count() /
        static_cast<double>(out.size()),
      out.size());
  st.cfg.metrics->scored += out.size() - duplicates;
  st.cfg.metrics->duplicates += duplicates;
  self->send(st.cfg.sink, std::move(out));
  if (st.since_checkpoint >= st.cfg.checkpoint_every)
    checkpoint(self, [](bool) {});
  report_memory(self); // every batch: the model grows between checkpoints too
}

bool apply_label(self_ptr self, const label& l) {
  auto& st = self->state;
  if (!st.model->label(l.transaction_id, l.confirmed_fraud))
    return false;
  ++st.cfg.metrics->labels_applied;
  ++st.since_checkpoint;
  if (l.id > 0)
    self->send(st.cfg.sink, label_atom::value, std::vector<std::int64_t>{l.id});
  return true;
}

void handle_checkpoint_request(self_ptr self, bool quit, caf::typed_response_promise<bool> rp) {
  checkpoint(self, [=](bool ok) mutable {
    rp.deliver(ok);
    if (quit)
      leave(self);
  });
}

/// Brings the model back: checkpoint, stored transactions after it, labels.
void restore(self_ptr self, profile_restore& r) {
  auto& st = self->state;
  auto rebuilt = rebuild_profile(st.cfg.params, r);
  if (!rebuilt.error.empty()) {
    log::error("profile",
               "checkpoint unreadable, starting afresh" +
                 log::fields()("user", st.user)("error", log::quote(rebuilt.error)).str());
    rebuilt.model.continue_versions_from(r.stored_version); // or its checkpoints are refused
  }
  st.model.emplace(std::move(rebuilt.model));
  if (!rebuilt.applied_labels.empty()) {
    st.cfg.metrics->labels_applied += rebuilt.applied_labels.size();
    self->send(st.cfg.sink, label_atom::value, std::move(rebuilt.applied_labels));
  }
  report_memory(self);
  for (auto& [txns, snap] : st.queued)
    score(self, txns, snap);
  st.queued.clear();
  auto waiting = std::move(st.after_restore);
  for (auto& f : waiting)
    f();
}

} // namespace

profile_actor::behavior_type profile(self_ptr self, std::string user, profile_config cfg) {
  self->state.user = std::move(user);
  self->state.cfg = std::move(cfg);
  self->request(self->state.cfg.store, caf::infinite, load_atom::value, self->state.user)
    .then([=](profile_restore& r) { restore(self, r); },
          [=](caf::error& e) {
            // The store never gives up on PostgreSQL; this means it is gone
            // (node shutting down): keep nothing half-restored.
            log::error(
              "profile",
              "restore failed" +
                log::fields()("user", self->state.user)("error", self->system().render(e)).str());
            self->quit(e);
          });
  return {
    [=](std::vector<transaction>& txns, global_snapshot& snap) {
      if (!self->state.model) {
        self->state.queued.emplace_back(std::move(txns), std::move(snap));
        return;
      }
      score(self, txns, snap);
    },
    [=](checkpoint_atom, bool quit) {
      // After the restore: a checkpoint of nothing would overwrite the real one.
      auto rp = self->make_response_promise<bool>();
      when_ready(self, [=] { handle_checkpoint_request(self, quit, rp); });
      return rp;
    },
    [=](discard_atom) { leave(self); },
    [=](label_atom, label& l) {
      auto rp = self->make_response_promise<bool>();
      when_ready(self, [=]() mutable { rp.deliver(apply_label(self, l)); });
      return rp;
    },
    [=](profile_atom) {
      auto rp = self->make_response_promise<profile_info>();
      when_ready(self, [=]() mutable { rp.deliver(info_of(self->state)); });
      return rp;
    },
    [=](retrain_atom) {
      auto rp = self->make_response_promise<bool>();
      when_ready(self, [=]() mutable {
        auto before = self->state.model->version();
        self->state.model->retrain();
        checkpoint(self, [](bool) {});
        rp.deliver(self->state.model->version() != before);
      });
      return rp;
    },
    [=](freeze_atom, bool frozen) {
      auto rp = self->make_response_promise<bool>();
      when_ready(self, [=]() mutable {
        self->state.model->set_frozen(frozen);
        checkpoint(self, [](bool) {});
        rp.deliver(true);
      });
      return rp;
    },
    [=](threshold_atom, double value) {
      auto rp = self->make_response_promise<bool>();
      when_ready(self, [=]() mutable {
        self->state.model->set_threshold_override(std::isnan(value) ? std::nullopt
                                                                    : std::optional<double>(value));
        checkpoint(self, [](bool) {});
        rp.deliver(true);
      });
      return rp;
    },
    [=](floor_atom, double floor) {
      when_ready(self, [=] { self->state.model->set_threshold_floor(floor); });
    },
  };
}

} // namespace rtad
