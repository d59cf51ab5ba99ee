#include "models/user_model.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace rtad::models {

namespace {

/// The user's forest fits once it has this many rows (fewer make no trees).
constexpr std::size_t min_rows_to_fit = 8;

/// Turns the forests' score into the verdict's: ranked among all users, judged by the threshold.
void calibrate(verdict& v, const float* x, std::size_t dims, const population_reference* population,
               const adaptive_threshold& threshold) {
  v.score = v.forest_score;
  if (population) {
    v.ranks = population->ranks(v.forest_score, x, dims);
    v.score = v.ranks.top();
    v.calibrated = true;
  }
  v.threshold = threshold.value();
  // Before the first calibration scores have no common scale: none is flagged.
  v.risk = v.calibrated ? threshold.risk(v.score) : risk_level::none;
  v.anomalous = v.risk != risk_level::none;
  // Beyond everything recently seen is as strong as evidence gets, whatever
  // the rank resolution of a young node's reference allows.
  if (v.anomalous && v.ranks.unprecedented())
    v.risk = risk_level::high;
}

} // namespace

std::string_view to_string(model_kind m) {
  return m == model_kind::user ? "user" : "global";
}

user_model::user_model(model_params p)
    : params_(p), history_(p.window), forest_(user_feature_count, p.forest),
      threshold_(p.threshold) {
  forest_.set_domains(user_feature_domains());
}

double user_model::user_weight() const {
  auto n = history_.size();
  if (n < params_.min_history || !forest_.trained())
    return 0.0;
  // Grows from a small share at min_history to its maximum with a full window.
  double span = static_cast<double>(std::max<std::size_t>(1, params_.window - params_.min_history));
  double ramp = std::min(1.0, static_cast<double>(n - params_.min_history + 1) / span);
  return params_.max_user_weight * ramp;
}

verdict user_model::assess(const user_features& x, const isolation_forest* global,
                           const population_reference* population) const {
  verdict v;
  bool have_global = global && global->trained();
  double w = user_weight();
  if (!have_global)
    w = forest_.trained() ? 1.0 : 0.0;
  // Scored whenever it has a say, also where the traffic does not trust it
  // (below): the population window learns from these scores whether it should.
  v.user_score = w > 0 ? forest_.score(x.data()) : 0.0;
  if (have_global && population)
    w *= population->user_forest_reliability();
  v.user_weight = w;
  v.global_score = have_global ? global->score(x.data()) : 0.5;
  v.forest_score = w * v.user_score + (1 - w) * v.global_score;
  // The model that pushed the score further above neutral (0.5) decided.
  v.decided_by = w > 0 && w * (v.user_score - 0.5) > (1 - w) * (v.global_score - 0.5)
                   ? model_kind::user
                   : model_kind::global;
  calibrate(v, x.data(), x.size(), population, threshold_);
  return v;
}

verdict assess_standard(const standard_features& x, const isolation_forest* forest,
                        const population_reference* population,
                        const adaptive_threshold& threshold) {
  verdict v;
  v.global_score = forest && forest->trained() ? forest->score(x.data()) : 0.5;
  v.forest_score = v.global_score;
  calibrate(v, x.data(), x.size(), population, threshold);
  return v;
}

bool user_model::replayed(origin from) const {
  return from.partition >= 0 && from.partition == learned_.partition &&
         from.offset <= learned_.offset;
}

bool user_model::redelivered(const std::string& transaction_id, origin from) const {
  if (replayed(from))
    return false; // a replay after restore: the same position, not a second delivery
  auto h = std::hash<std::string>{}(transaction_id);
  return std::find(recent_ids_.begin(), recent_ids_.end(), h) != recent_ids_.end();
}

bool user_model::record(const txn_input& t, const user_features& x, const verdict& v,
                        const std::string& transaction_id, origin from) {
  if (replayed(from))
    return false; // a replay after restore: scored again, not learned twice
  if (from.partition >= 0)
    learned_ = from;
  recent_ids_[next_id_] = std::hash<std::string>{}(transaction_id);
  next_id_ = (next_id_ + 1) % recent_ids_.size();
  last_seen_ts_ = std::max(last_seen_ts_, t.timestamp);
  history_.observe(t);
  // The threshold follows the user's normal scores only: a user under
  // repeated attack must not see the attacks raise the bar for the next one.
  if (v.calibrated && !v.anomalous)
    threshold_.add(v.score);
  if (frozen_)
    return true;
  // Statistics take in every transaction, so a user who really moves or
  // changes habits stops looking novel; the forest learns only from normal
  // ones, so fraud does not teach it that fraud is normal.
  history_.admit(t);
  if (v.anomalous) {
    pending_.push_back({transaction_id, x});
    if (pending_.size() > pending_capacity)
      pending_.pop_front();
    return true;
  }
  learn(x);
  refit_if_due();
  return true;
}

bool user_model::label(const std::string& transaction_id, bool confirmed_fraud) {
  auto it = std::find_if(pending_.begin(), pending_.end(),
                         [&](const pending_txn& p) { return p.id == transaction_id; });
  if (it == pending_.end())
    return false;
  if (!confirmed_fraud) {
    learn(it->x);
    // Refit now, so the same pattern is less likely to raise the alert again.
    since_refit_ = params_.refit_every;
    refit_if_due();
  }
  pending_.erase(it);
  return true;
}

void user_model::learn(const user_features& x) {
  if (rows_.size() >= params_.window)
    rows_.pop_front();
  rows_.push_back(x);
  ++since_refit_;
}

void user_model::fit_window(std::size_t first, std::size_t count) {
  std::vector<float> data(rows_.size() * user_feature_count);
  auto* out = data.data();
  for (const auto& r : rows_)
    out = std::copy(r.begin(), r.end(), out);
  forest_.refit_trees(first, count, {data.data(), rows_.size(), user_feature_count});
  ++version_;
  since_refit_ = 0;
  last_refit_ts_ = last_seen_ts_;
}

void user_model::refit_if_due() {
  if (rows_.size() < min_rows_to_fit)
    return;
  auto trees = forest_.tree_count();
  if (!forest_.trained()) {
    fit_window(0, trees);
    next_tree_ = 0;
    return;
  }
  if (since_refit_ < params_.refit_every)
    return;
  // The oldest t*r/W trees: the whole forest turns over every W transactions.
  auto k = (trees * params_.refit_every + params_.window - 1) / params_.window;
  k = std::clamp<std::size_t>(k, 1, trees);
  fit_window(next_tree_, k);
  next_tree_ = (next_tree_ + k) % trees;
}

void user_model::retrain() {
  if (rows_.size() < min_rows_to_fit)
    return;
  fit_window(0, forest_.tree_count());
  next_tree_ = 0;
}

std::size_t user_model::memory_bytes() const {
  std::size_t bytes = sizeof(*this) + forest_.memory_bytes();
  bytes += rows_.size() * sizeof(user_features);
  bytes += history_.window().size() * sizeof(user_history::entry);
  bytes += history_.recent_transactions().size() * sizeof(user_history::recent);
  for (const auto& d : history_.dictionaries())
    for (const auto& v : d.values)
      bytes += v.capacity() + sizeof(v) + sizeof(std::uint16_t);
  bytes += pending_.size() * sizeof(pending_txn);
  return bytes;
}

bool operator==(const user_model& a, const user_model& b) {
  if (!(a.history_ == b.history_) || !(a.forest_ == b.forest_) || a.rows_ != b.rows_ ||
      a.version_ != b.version_ || a.since_refit_ != b.since_refit_ ||
      a.next_tree_ != b.next_tree_ || a.frozen_ != b.frozen_ ||
      a.threshold_override() != b.threshold_override() || a.last_refit_ts_ != b.last_refit_ts_ ||
      a.last_seen_ts_ != b.last_seen_ts_ || a.learned_.partition != b.learned_.partition ||
      a.learned_.offset != b.learned_.offset || a.pending_.size() != b.pending_.size())
    return false;
  const auto& qa = a.score_quantile();
  const auto& qb = b.score_quantile();
  if (qa.n_ != qb.n_ || qa.height_ != qb.height_ || qa.pos_ != qb.pos_ ||
      qa.desired_ != qb.desired_)
    return false;
  for (std::size_t i = 0; i < a.pending_.size(); ++i)
    if (a.pending_[i].id != b.pending_[i].id || a.pending_[i].x != b.pending_[i].x)
      return false;
  return true;
}

} // namespace rtad::models
