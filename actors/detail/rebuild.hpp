#pragma once
// How a profile's model comes back from what the profile store read: the one
// place that does it, for the node's profiles and for `rtad profiles init`.

#include "messages/results.hpp"
#include "models/user_model.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace rtad {

/// A model brought back from a profile_restore.
struct rebuilt_profile {
  models::user_model model;
  std::vector<std::int64_t> applied_labels; ///< ids of labels it took in: mark them applied
  bool from_checkpoint = false;
  std::string error; ///< why a stored checkpoint was unreadable (the model then starts afresh)
};

/// The checkpoint (or a fresh model with `params`), then the stored
/// transactions after it learned with the verdicts they had, then the labels
/// not applied yet.
rebuilt_profile rebuild_profile(const models::model_params& params, const profile_restore& r);

} // namespace rtad
