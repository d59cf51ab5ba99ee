#include "actors/detail/convert.hpp"

#include "models/serialize.hpp"

#include <nlohmann/json.hpp>

namespace rtad {

namespace {
constexpr std::size_t summary_top_values = 5;
/// A profile without a checkpoint learns from this many windows of its latest rows.
constexpr std::size_t catch_up_windows = 2;
} // namespace

models::txn_input to_input(const transaction& t) {
  return {t.amount,         t.timestamp,   t.location,        t.merchant_category,
          t.payment_method, t.device_type, t.transaction_type};
}

models::threshold_params threshold_params(const config::model_settings& s) {
  models::threshold_params t;
  t.quantile = s.threshold_quantile;
  t.floor = s.threshold_floor;
  t.medium_factor = s.risk_medium_factor;
  t.high_factor = s.risk_high_factor;
  return t;
}

models::model_params user_model_params(const config::model_settings& s) {
  models::model_params p;
  p.forest = {s.user_trees, s.user_sample_size, s.seed, true};
  p.window = static_cast<std::size_t>(s.window);
  p.refit_every = static_cast<std::size_t>(s.refit_every);
  p.min_history = static_cast<std::size_t>(s.min_history);
  p.max_user_weight = s.max_user_weight;
  p.threshold = threshold_params(s);
  return p;
}

void fill_verdict(scored_transaction& out, const models::verdict& v) {
  out.score = v.score;
  out.threshold = v.threshold;
  out.user_score = v.user_score;
  out.global_score = v.global_score;
  out.user_weight = v.user_weight;
  out.anomalous = v.anomalous;
  out.risk = std::string(models::to_string(v.risk));
  out.model_used = std::string(models::to_string(v.decided_by));
}

std::string explanation_json(const models::explanation& e, const models::verdict& v) {
  // The shape frontend/README.md documents: "top" rows of feature, value, usual, contribution.
  nlohmann::json top = nlohmann::json::array();
  for (const auto& r : e.reasons)
    top.push_back({{"feature", r.feature},
                   {"contribution", r.weight},
                   {"value", r.seen},
                   {"usual", r.usual},
                   {"text", r.text}});
  return nlohmann::json{{"top", top},
                        {"summary", e.summary},
                        {"forest_score", v.forest_score},
                        {"evidence", models::to_string(v.ranks.strongest())},
                        {"ranks",
                         {{"forest", v.ranks.forest},
                          {"amount", v.ranks.amount},
                          {"category", v.ranks.category},
                          {"travel", v.ranks.travel}}},
                        {"user_score", v.user_score},
                        {"global_score", v.global_score},
                        {"user_weight", v.user_weight}}
    .dump();
}

std::string profile_summary_json(const models::user_model& m) {
  const auto& h = m.history();
  auto top = [&](models::field f) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [value, count] : h.top_values(f, summary_top_values))
      out.push_back({{"value", value}, {"count", count}});
    return out;
  };
  auto hours = h.hour_histogram();
  return nlohmann::json{{"countries", top(models::field::country)},
                        {"categories", top(models::field::category)},
                        {"payment_methods", top(models::field::payment_method)},
                        {"devices", top(models::field::device_type)},
                        // The usual range is the central 90 % of the window's amounts.
                        {"amount_range",
                         {{"min", h.amount_percentile(0.05)},
                          {"median", h.amount_percentile(0.5)},
                          {"max", h.amount_percentile(0.95)}}},
                        {"active_hours", std::vector<int>(hours.begin(), hours.end())},
                        {"window", h.size()},
                        {"training_rows", m.training_rows()},
                        {"user_weight", m.user_weight()}}
    .dump();
}

std::size_t shard_of(const std::string& user_id, std::size_t shards) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : user_id) {
    h ^= c;
    h *= 16777619u;
  }
  return h % shards;
}

profile_checkpoint checkpoint_of(const std::string& user, const models::user_model& m) {
  profile_checkpoint c;
  c.user_id = user;
  c.bytes = models::model_codec::save(m);
  c.summary_json = profile_summary_json(m);
  c.model_version = m.version();
  c.history_size = static_cast<std::int32_t>(m.history().size());
  c.trees = static_cast<std::int32_t>(m.forest().tree_count());
  c.threshold = m.threshold();
  c.frozen = m.frozen();
  c.last_retrain = m.last_refit_time();
  c.last_transaction_at = m.last_seen_time();
  c.learned_partition = m.learned().partition;
  c.learned_offset = m.learned().offset;
  return c;
}

std::size_t catch_up_limit(const config::model_settings& s) {
  return static_cast<std::size_t>(s.window) * catch_up_windows;
}

} // namespace rtad
