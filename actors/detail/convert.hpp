#pragma once
// Conversions between messages, settings and model types: the only place
// where the actors' world meets the models' world.

#include "config/settings.hpp"
#include "messages/results.hpp"
#include "models/explain.hpp"
#include "models/user_model.hpp"

#include <string>

namespace rtad {

/// What the models see of a transaction (views into `t`).
models::txn_input to_input(const transaction& t);

/// User model settings from the node's configuration.
models::model_params user_model_params(const config::model_settings& s);

/// Threshold settings from the node's configuration.
models::threshold_params threshold_params(const config::model_settings& s);

/// Fills the verdict part of `out` from a user-model verdict.
void fill_verdict(scored_transaction& out, const models::verdict& v);

/// detection_features JSON of an explained anomaly.
std::string explanation_json(const models::explanation& e, const models::verdict& v);

/// user_profiles.summary JSON: usual countries, categories, devices, amounts, hours.
std::string profile_summary_json(const models::user_model& m);

/// What user_profiles stores of `m`: its checkpoint and the summary operators see.
profile_checkpoint checkpoint_of(const std::string& user, const models::user_model& m);

/// Stored transactions a profile without a checkpoint is rebuilt from (its
/// latest ones), and at most replayed after one.
std::size_t catch_up_limit(const config::model_settings& s);

/// Stable shard of a user (FNV-1a, the same in every process).
std::size_t shard_of(const std::string& user_id, std::size_t shards);

} // namespace rtad
