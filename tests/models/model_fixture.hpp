#pragma once
// A population and a global forest over user-relative features, for tests of
// user models that blend with it.

#include "models/global_model.hpp"
#include "models/user_model.hpp"
#include "user_stream.hpp"

#include <memory>

namespace rtad::test {

/// Feeds `n` habitual transactions of `s` through `m`; returns how many were flagged.
inline int feed(models::user_model& m, user_stream& s, int n,
                const models::isolation_forest* global = nullptr) {
  int flagged = 0;
  for (int i = 0; i < n; ++i) {
    auto t = s.next();
    auto x = m.features(t.view());
    auto v = m.assess(x, global);
    flagged += v.anomalous;
    m.record(t.view(), x, v, "tx-" + std::to_string(t.timestamp));
  }
  return flagged;
}

/// A global forest trained on 60 users of very different spending levels.
inline std::shared_ptr<const models::isolation_forest> population_forest() {
  models::global_model g(models::user_feature_count, {100, 256, 7, true}, 8192, 512,
                        models::user_feature_domains());
  for (unsigned u = 0; u < 60; ++u) {
    user_stream s(1000 + u, 5.0 * (1 + u * u), u % 5 == 0 ? "DE" : "US");
    models::user_history h;
    for (int i = 0; i < 120; ++i) {
      auto t = s.next();
      auto x = h.features(t.view());
      g.observe(x.data());
      h.observe(t.view());
      h.admit(t.view());
    }
  }
  return g.snapshot();
}

} // namespace rtad::test
