#include "actors/global_model.hpp"

#include <caf/all.hpp>

namespace rtad {

namespace {

using self_ptr = global_model_actor::stateful_pointer<global_model_state>;

global_snapshot current(self_ptr self) {
  auto& m = *self->state.model;
  return {m.snapshot(), m.version()};
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
                         observe_atom::value, std::vector<float>{});
    }
    return;
  }
  st.last_publish = now;
  st.published_version = st.model->version();
  st.cfg.metrics->global_model_version = st.published_version;
  auto snap = current(self);
  for (const auto& s : st.subscribers)
    self->send(s, snap);
}

} // namespace

global_model_actor::behavior_type global_model(self_ptr self, global_model_config cfg) {
  self->state.cfg = std::move(cfg);
  const auto& c = self->state.cfg;
  self->state.model.emplace(c.dims, c.forest, c.window, c.refit_every, c.domains);
  return {
    [=](observe_atom, std::vector<float>& rows) {
      auto& st = self->state;
      if (rows.empty())
        st.publish_armed = false; // the delayed publication
      auto dims = st.cfg.dims;
      for (std::size_t at = 0; at + dims <= rows.size(); at += dims)
        st.model->observe(rows.data() + at);
      publish(self);
    },
    [=](subscribe_atom, shard_actor& s) {
      self->state.subscribers.push_back(s);
      if (self->state.model->snapshot())
        self->send(s, current(self));
    },
    [=](status_atom) { return current(self); },
  };
}

} // namespace rtad
