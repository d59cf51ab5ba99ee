#include "actors/global_model.hpp"

#include "actors/detail/log.hpp"
#include "models/serialize.hpp"

#include <caf/all.hpp>
#include <limits>

namespace rtad {

namespace {

using self_ptr = global_model_actor::stateful_pointer<global_model_state>;

global_checkpoint checkpoint_of(self_ptr self) {
  const auto& m = self->state.model->model();
  return {self->state.cfg.mode, m.version(), m.rows(), models::model_codec::save(m)};
}

/// Saves the model through the sink when it changed and enough time passed.
void maybe_checkpoint(self_ptr self) {
  auto& st = self->state;
  auto now = std::chrono::steady_clock::now();
  if (!st.cfg.sink || st.model->model().version() == st.checkpointed_version ||
      now - st.last_checkpoint < st.cfg.checkpoint_interval)
    return;
  st.last_checkpoint = now;
  st.checkpointed_version = st.model->model().version();
  // Anonymous: the sink's answer is not awaited here.
  caf::anon_send(caf::actor_cast<sink_actor>(st.cfg.sink), checkpoint_atom::value,
                 checkpoint_of(self));
}

/// Closes what can close and hands each closed epoch's snapshot to the shards.
void publish(self_ptr self) {
  auto& st = self->state;
  for (auto& closed : st.model->advance()) {
    st.published = {closed.epoch, std::move(closed.forest), std::move(closed.population),
                    closed.version};
    st.cfg.metrics->global_model_version = st.published.version;
    for (const auto& s : st.subscribers)
      self->send(s, st.published);
  }
  maybe_checkpoint(self);
}

} // namespace

global_model_actor::behavior_type global_model(self_ptr self, global_model_config cfg) {
  self->state.cfg = std::move(cfg);
  auto& c = self->state.cfg;
  std::optional<models::global_model> restored;
  if (!c.restore.empty()) {
    try {
      auto m =
        models::model_codec::load_global_model(c.restore.data(), c.restore.size(), c.domains);
      const auto& p = m.forest().params();
      if (m.dims() == c.dims && p.trees == c.forest.trees &&
          p.sample_size == c.forest.sample_size && m.window() == c.window) {
        restored.emplace(std::move(m));
        self->state.checkpointed_version = restored->version();
        log::info("global_model",
                  "restored" + log::fields()("mode", c.mode)("version", restored->version())(
                                 "rows", restored->rows())
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
  if (!restored)
    restored.emplace(c.dims, c.forest, c.window, c.refit_every, c.domains);
  self->state.cfg.metrics->global_model_version = restored->version();
  self->state.model.emplace(std::move(*restored));
  return {
    [=](stored_rows& r) {
      auto& m = *self->state.model;
      auto dims = self->state.cfg.dims;
      for (std::size_t i = 0; i < r.partitions.size() && (i + 1) * dims <= r.rows.size(); ++i)
        m.add(r.partitions[i], r.offsets[i], r.rows.data() + i * dims,
              i < r.scores.size() ? r.scores[i] : std::numeric_limits<float>::quiet_NaN(),
              i < r.categories.size() ? r.categories[i] : std::string(),
              i < r.user_scores.size() ? r.user_scores[i] : 0.0f);
      for (std::size_t i = 0; i < r.watermark_partitions.size() && i < r.watermarks.size(); ++i)
        m.stored(r.watermark_partitions[i], r.watermarks[i]);
      publish(self);
    },
    [=](assign_atom, std::vector<std::int32_t>& partitions) {
      self->state.model->assign({partitions.begin(), partitions.end()});
      publish(self);
    },
    [=](start_atom, std::int32_t partition, std::int64_t offset) {
      self->state.model->start(partition, offset);
      publish(self);
    },
    [=](idle_atom, std::int32_t partition, std::int64_t offset) {
      self->state.model->idle(partition, offset);
      publish(self);
    },
    [=](enter_atom, std::int32_t partition, std::int64_t epoch, std::int64_t offset) {
      self->state.model->enter(partition, epoch, offset);
      publish(self);
    },
    [=](subscribe_atom, shard_actor& s) {
      self->state.subscribers.push_back(s);
      if (self->state.published.epoch != models::base_epoch)
        self->send(s, self->state.published);
    },
    [=](status_atom) { return self->state.published; },
    [=](checkpoint_atom) -> caf::result<bool> {
      auto& st = self->state;
      if (!st.cfg.sink || !st.model->model().snapshot())
        return true; // nothing learned yet: nothing to keep
      st.last_checkpoint = std::chrono::steady_clock::now();
      st.checkpointed_version = st.model->model().version();
      return self->delegate(caf::actor_cast<sink_actor>(st.cfg.sink), checkpoint_atom::value,
                            checkpoint_of(self));
    },
    [=](ping_atom) { return ping_atom::value; },
  };
}

} // namespace rtad
