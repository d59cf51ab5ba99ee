#include "actors/global_model.hpp"

#include "actors/log.hpp"
#include "models/serialize.hpp"

#include <caf/all.hpp>
#include <limits>

namespace rtad {

namespace {

using self_ptr = global_model_actor::stateful_pointer<global_model_state>;

global_snapshot current(self_ptr self) {
  auto& st = self->state;
  auto& m = *st.model;
  // Rebuilt with each publication (at most once a publish interval): it
  // scores the whole window, too much for every refit.
  if (!st.population || st.population->version() != m.version())
    st.population = models::population_reference::build(m, st.recent);
  return {m.snapshot(), st.population, m.version()};
}

global_checkpoint checkpoint_of(self_ptr self) {
  auto& m = *self->state.model;
  return {self->state.cfg.mode, m.version(), m.rows(), models::model_codec::save(m)};
}

/// Saves the model through the sink when it changed and enough time passed.
void maybe_checkpoint(self_ptr self) {
  auto& st = self->state;
  auto now = std::chrono::steady_clock::now();
  if (!st.cfg.sink || st.model->version() == st.checkpointed_version ||
      now - st.last_checkpoint < st.cfg.checkpoint_interval)
    return;
  st.last_checkpoint = now;
  st.checkpointed_version = st.model->version();
  // Anonymous: the sink's answer is not awaited here.
  caf::anon_send(caf::actor_cast<sink_actor>(st.cfg.sink), checkpoint_atom::value, checkpoint_of(self));
}

void publish(self_ptr self) {
  auto& st = self->state;
  if (st.model->version() == st.published_version || !st.model->snapshot())
    return;
  auto now = std::chrono::steady_clock::now();
  if (now - st.last_publish < st.cfg.publish_interval) {
    if (!st.publish_armed) {
      st.publish_armed = true;
      self->delayed_send(self, st.cfg.publish_interval - (now - st.last_publish),
                         observe_atom::value, std::vector<float>{}, std::vector<float>{},
                         std::vector<std::string>{});
    }
    return;
  }
  st.last_publish = now;
  st.published_version = st.model->version();
  st.cfg.metrics->global_model_version = st.published_version;
  auto snap = current(self);
  for (const auto& s : st.subscribers)
    self->send(s, snap);
  maybe_checkpoint(self);
}

} // namespace

global_model_actor::behavior_type global_model(self_ptr self, global_model_config cfg) {
  self->state.cfg = std::move(cfg);
  auto& c = self->state.cfg;
  if (!c.restore.empty()) {
    try {
      auto m = models::model_codec::load_global_model(c.restore.data(), c.restore.size(), c.domains);
      const auto& p = m.forest().params();
      if (m.dims() == c.dims && p.trees == c.forest.trees && p.sample_size == c.forest.sample_size &&
          m.window() == c.window) {
        self->state.model.emplace(std::move(m));
        self->state.checkpointed_version = self->state.model->version();
        log::info("global_model", "restored" + log::fields()("mode", c.mode)(
                                                 "version", self->state.model->version())(
                                                 "rows", self->state.model->rows())
                                                 .str());
      } else {
        log::warn("global_model", "stored model has other settings; starting afresh");
      }
    } catch (const models::codec_error& e) {
      log::error("global_model", "stored model unreadable, starting afresh" +
                                   log::fields()("error", log::quote(e.what())).str());
    }
    c.restore.clear();
    c.restore.shrink_to_fit();
  }
  if (!self->state.model)
    self->state.model.emplace(c.dims, c.forest, c.window, c.refit_every, c.domains);
  self->state.cfg.metrics->global_model_version = self->state.model->version();
  return {
    [=](observe_atom, std::vector<float>& rows, std::vector<float>& scores,
        std::vector<std::string>& categories) {
      auto& st = self->state;
      if (rows.empty())
        st.publish_armed = false; // the delayed publication
      auto dims = st.cfg.dims;
      for (std::size_t at = 0, i = 0; at + dims <= rows.size(); at += dims, ++i) {
        st.model->observe(rows.data() + at);
        st.recent.observe(rows.data() + at, dims,
                          i < categories.size() ? categories[i] : std::string(),
                          i < scores.size() ? scores[i] : std::numeric_limits<double>::quiet_NaN());
      }
      publish(self);
    },
    [=](subscribe_atom, shard_actor& s) {
      self->state.subscribers.push_back(s);
      if (self->state.model->snapshot())
        self->send(s, current(self));
    },
    [=](status_atom) { return current(self); },
    [=](checkpoint_atom) -> caf::result<bool> {
      auto& st = self->state;
      if (!st.cfg.sink || !st.model->snapshot())
        return true; // nothing learned yet: nothing to keep
      st.last_checkpoint = std::chrono::steady_clock::now();
      st.checkpointed_version = st.model->version();
      return self->delegate(caf::actor_cast<sink_actor>(st.cfg.sink), checkpoint_atom::value,
                            checkpoint_of(self));
    },
  };
}

} // namespace rtad
