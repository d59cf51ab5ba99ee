#pragma once

#include "models/features.hpp"
#include "models/isolation_forest.hpp"
#include "models/population.hpp"
#include "models/threshold.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace rtad::models {

/// Which model's opinion weighed more in a verdict.
enum class model_kind : std::uint8_t { global, user };
std::string_view to_string(model_kind m);

/// Settings of a user model; the node fills them from its configuration.
struct model_params {
  forest_params forest{50, 64, 42, true};
  std::size_t window = 256;     ///< W: normal transactions kept
  std::size_t refit_every = 32; ///< r: new transactions between partial refits
  std::size_t min_history = 30; ///< below this the user's forest has no say
  double max_user_weight = 0.5; ///< the user's forest adds to the global one, never replaces it
  threshold_params threshold;
};

/// The outcome of scoring one transaction.
struct verdict {
  /// The largest tail rank among all users (population.hpp) in [0, 1]; the
  /// forest score while not calibrated.
  double score = 0;
  double forest_score = 0; ///< the forests' blended anomaly score in (0, 1]
  tail_ranks ranks;        ///< the evidence behind `score`
  bool calibrated = false; ///< false while no population reference exists: never flagged
  double user_score = 0;   ///< the user's forest alone (0 while its history gives it no say)
  double global_score = 0; ///< the global forest alone
  double user_weight = 0;  ///< share of the user's forest in `forest_score`: user_weight()
                           ///< times the traffic's trust in users' forests
                           ///< (population_reference::user_forest_reliability)
  double threshold = 0;
  bool anomalous = false;
  risk_level risk = risk_level::none;
  model_kind decided_by = model_kind::global;
};

/// Standard mode's verdict: the global forest over the transaction's own
/// features alone, calibrated like a user model's.
verdict assess_standard(const standard_features& x, const isolation_forest* forest,
                        const population_reference* population,
                        const adaptive_threshold& threshold);

/// Where a transaction came from; lets a model learn from each one once.
struct origin {
  std::int32_t partition = -1;
  std::int64_t offset = -1;
};

/// One user's detector: history, own Isolation Forest learning
/// incrementally, adaptive threshold, blending with the global forest.
class user_model {
public:
  explicit user_model(model_params p = {});

  /// Features of `t` against this user's history (and the population's categories).
  user_features features(const txn_input& t,
                         const population_reference* population = nullptr) const {
    return history_.features(t, population);
  }

  /// Scores features `x`; `global` is the population forest over the same
  /// features (may be null or untrained: the user's forest then decides
  /// alone), `population` calibrates the score (null: nothing is flagged).
  verdict assess(const user_features& x, const isolation_forest* global,
                 const population_reference* population) const;

  /// Whether `transaction_id` is one of the last 32 this user sent, coming
  /// again at a new position (a producer's retry): it must be learnt and
  /// stored once, and its first verdict stands. Not kept in checkpoints, so
  /// a redelivery across a restart is learnt again.
  bool redelivered(const std::string& transaction_id, origin from = {}) const;

  /// Takes in the scored transaction: always into the history statistics,
  /// into the training window only when it was normal (flagged ones wait for
  /// a label).
  /// Returns false, changing nothing, when `from` was already learned.
  bool record(const txn_input& t, const user_features& x, const verdict& v,
              const std::string& transaction_id, origin from = {});

  /// Analyst feedback on a flagged transaction: a false positive joins the
  /// window at once; a confirmed fraud never does. False when unknown here.
  bool label(const std::string& transaction_id, bool confirmed_fraud);

  /// Counts refits from at least `v` on (a model started afresh where an
  /// unreadable one of that version was stored).
  void continue_versions_from(std::uint64_t v) { version_ = std::max(version_, v); }

  /// Rebuilds every tree from the current window.
  void retrain();

  /// Stops or resumes learning (a user under investigation).
  void set_frozen(bool frozen) { frozen_ = frozen; }
  bool frozen() const { return frozen_; }

  /// Fixes the threshold (nullopt: adaptive again).
  void set_threshold_override(std::optional<double> t) { threshold_.set_override(t); }
  std::optional<double> threshold_override() const { return threshold_.override_value(); }

  /// A new global floor under this user's threshold.
  void set_threshold_floor(double floor) {
    params_.threshold.floor = floor;
    threshold_.set_floor(floor);
  }

  /// The threshold a transaction must exceed now.
  double threshold() const { return threshold_.value(); }

  /// Weight of the user's own forest in a blended score now.
  double user_weight() const;

  const user_history& history() const { return history_; }
  const isolation_forest& forest() const { return forest_; }
  const model_params& params() const { return params_; }
  std::uint64_t version() const { return version_; } ///< refits so far
  std::int64_t last_refit_time() const { return last_refit_ts_; }
  std::int64_t last_seen_time() const { return last_seen_ts_; }
  /// Kafka position of the newest transaction learned from.
  origin learned() const { return learned_; }
  std::size_t pending_count() const { return pending_.size(); }
  /// Normal transactions the forest learns from.
  std::size_t training_rows() const { return rows_.size(); }
  const p2_quantile& score_quantile() const { return threshold_.quantile(); }
  /// Approximate heap bytes of this model.
  std::size_t memory_bytes() const;

  friend bool operator==(const user_model& a, const user_model& b);
  friend class model_codec;

private:
  /// A flagged transaction waiting for a label.
  struct pending_txn {
    std::string id;
    user_features x;
  };
  static constexpr std::size_t pending_capacity = 8;

  /// `from` is at or before the newest position learnt from (a replay after restore).
  bool replayed(origin from) const;
  void learn(const user_features& x);
  void refit_if_due();
  void fit_window(std::size_t first, std::size_t count);

  model_params params_;
  user_history history_;
  std::deque<user_features> rows_; ///< training window: normal transactions only
  isolation_forest forest_;
  adaptive_threshold threshold_;
  std::deque<pending_txn> pending_;
  bool frozen_ = false;
  std::uint64_t version_ = 0;
  std::size_t since_refit_ = 0;
  std::size_t next_tree_ = 0;
  std::int64_t last_refit_ts_ = 0;
  std::int64_t last_seen_ts_ = 0;
  origin learned_;
  std::array<std::size_t, 32> recent_ids_{}; ///< hashes of the newest transaction ids, a ring
  std::size_t next_id_ = 0;
};

} // namespace rtad::models
