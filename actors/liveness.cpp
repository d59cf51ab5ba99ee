#include "actors/liveness.hpp"

#include <caf/all.hpp>

namespace rtad {

liveness_actor::behavior_type liveness(liveness_actor::stateful_pointer<liveness_state> self,
                                       liveness_config cfg) {
  self->state.cfg = std::move(cfg);
  auto& st = self->state;
  st.waiting.assign(st.cfg.watched.size(), false);
  // Every actor counts as answering at start: a node that has just begun is
  // not wedged.
  for (const auto& [name, actor] : st.cfg.watched)
    st.cfg.metrics->answered(name);
  self->send(self, tick_atom::value);
  return {
    [=](tick_atom) {
      auto& st = self->state;
      for (std::size_t i = 0; i < st.cfg.watched.size(); ++i) {
        if (st.waiting[i])
          continue; // one ping per actor: a silent one does not pile them up
        st.waiting[i] = true;
        // No timeout: the silence is measured, not the request's fate; an
        // actor that ends answers with an error, which ends the wait.
        self->request(st.cfg.watched[i].second, caf::infinite, ping_atom::value)
          .then(
            [=](ping_atom) {
              self->state.waiting[i] = false;
              self->state.cfg.metrics->answered(self->state.cfg.watched[i].first);
            },
            [=](caf::error&) { self->state.waiting[i] = false; });
      }
      self->delayed_send(self, st.cfg.interval, tick_atom::value);
    },
  };
}

} // namespace rtad
