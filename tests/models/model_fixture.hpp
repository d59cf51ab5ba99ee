#pragma once
// A population and a global forest over user-relative features, for tests of
// user models that blend with it.

#include "models/global_model.hpp"
#include "models/population.hpp"
#include "models/user_model.hpp"
#include "user_stream.hpp"

#include <memory>

namespace rtad::test {

/// What a node's global model actor publishes: the forest and the reference
/// that calibrates scores against all users.
struct population_models {
  std::shared_ptr<const models::isolation_forest> forest;
  std::shared_ptr<const models::population_reference> reference;
  models::verdict assess(const models::user_model& m, const models::user_features& x) const {
    return m.assess(x, forest.get(), reference.get());
  }
};

/// Feeds `n` habitual transactions of `s` through `m`; returns how many were flagged.
inline int feed(models::user_model& m, user_stream& s, int n,
                const population_models* global = nullptr) {
  int flagged = 0;
  for (int i = 0; i < n; ++i) {
    auto t = s.next();
    auto x = m.features(t.view(), global ? global->reference.get() : nullptr);
    auto v = global ? global->assess(m, x) : m.assess(x, nullptr, nullptr);
    flagged += v.anomalous;
    m.record(t.view(), x, v, "tx-" + std::to_string(t.timestamp));
  }
  return flagged;
}

/// A global forest and reference trained on 60 users of very different spending levels.
inline population_models population_forest() {
  models::global_model g(models::user_feature_count, {100, 256, 7, true}, 8192, 512,
                         models::user_feature_domains());
  models::population_window w;
  for (unsigned u = 0; u < 60; ++u) {
    user_stream s(1000 + u, 5.0 * (1 + u * u), u % 5 == 0 ? "DE" : "US");
    models::user_history h;
    for (int i = 0; i < 120; ++i) {
      auto t = s.next();
      auto x = h.features(t.view());
      g.observe(x.data());
      w.observe(x.data(), x.size(), t.category);
      h.observe(t.view());
      h.admit(t.view());
    }
  }
  return {g.snapshot(), models::population_reference::build(g, w)};
}

} // namespace rtad::test
