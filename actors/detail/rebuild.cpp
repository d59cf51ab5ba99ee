#include "actors/detail/rebuild.hpp"

#include "actors/detail/convert.hpp"
#include "models/serialize.hpp"

#include <optional>

namespace rtad {

rebuilt_profile rebuild_profile(const models::model_params& params, const profile_restore& r) {
  std::optional<models::user_model> restored;
  std::string error;
  if (r.found) {
    try {
      restored = models::model_codec::load_user_model(r.checkpoint.data(), r.checkpoint.size());
    } catch (const models::codec_error& e) {
      error = e.what();
    }
  }
  rebuilt_profile out{restored ? std::move(*restored) : models::user_model(params),
                      {},
                      restored.has_value(),
                      std::move(error)};
  auto& m = out.model;
  for (const auto& s : r.catch_up) {
    // Learn what was stored after the checkpoint with the verdict it had.
    auto input = to_input(s.txn);
    auto x = m.features(input);
    models::verdict v;
    v.score = s.score;
    v.anomalous = s.anomalous;
    // Not `calibrated`: whether a stored score was a rank or a warm-up
    // forest score is not stored, so the threshold's quantile skips these.
    m.record(input, x, v, s.txn.transaction_id, {s.txn.partition, s.txn.offset});
  }
  for (const auto& l : r.labels)
    if (m.label(l.transaction_id, l.confirmed_fraud))
      out.applied_labels.push_back(l.id);
  return out;
}

} // namespace rtad
