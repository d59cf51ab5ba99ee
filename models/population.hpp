#pragma once

#include "models/global_model.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rtad::models {

/// The evidence behind a calibrated score.
enum class evidence : std::uint8_t { forest, amount, category, travel, spend };
inline constexpr std::size_t evidence_kinds = 5;
std::string_view to_string(evidence e);

/// Where a transaction stands among recent transactions of all users: for
/// each kind of evidence, the share of them with less of it (0 = none).
struct tail_ranks {
  double forest = 0;   ///< the forests' score
  double amount = 0;   ///< |amount z| against the user's usual amounts
  double category = 0; ///< a category new to the user and rare among all users
  double travel = 0;   ///< the speed implied by a change of country
  double spend = 0;    ///< the user's spend in the last hours against their usual
  /// Per evidence (indexed by `evidence`): more of it than any recent transaction had.
  std::array<bool, evidence_kinds> beyond{};
  /// Per evidence: how far its ranks are trusted on this traffic, 0..1
  /// (population_reference::reliability); a rank r counts as 1 - (1 - r)^w.
  std::array<double, evidence_kinds> weight{1, 1, 1, 1, 1};
  double rank(evidence e) const;
  /// Rank `e` as it counts: its tail raised to the evidence's reliability.
  double weighted(evidence e) const;
  /// The score: the largest weighted rank.
  double top() const;
  evidence strongest() const;
  /// The strongest evidence is beyond anything recently seen: however few
  /// rows the reference has, nothing can be stronger.
  bool unprecedented() const { return beyond[static_cast<std::size_t>(strongest())]; }
};

/// Recent transactions of all users as the population reference needs them:
/// the single-feature evidence of each (user rows only) and the mix of
/// merchant categories, over a sliding window longer than the global forest's
/// (the far tail needs many rows to be told apart). Not checkpointed: it
/// refills from live traffic, and calibrates nothing until it has.
class population_window {
public:
  static constexpr std::size_t evidence_count = 4; ///< amount, category, travel, spend
  explicit population_window(std::size_t capacity = 65536);

  /// Takes in one scored row of `dims` features, its merchant category
  /// (empty: not known), the global forest's score of it (NaN: no forest
  /// yet; kept only for rows of users with some history, NaN otherwise) and
  /// the user's own forest's score of it (0: the user's forest had no say).
  void observe(const float* row, std::size_t dims, std::string_view category,
               double forest_score = std::numeric_limits<double>::quiet_NaN(),
               double user_score = 0);

  std::size_t size() const { return filled_; }
  std::size_t capacity() const { return capacity_; }
  const std::vector<std::array<float, evidence_count>>& evidence_rows() const { return evidence_; }
  /// Evidence column `k` of every row, sorted. Kept sorted between calls by
  /// merging in what changed since the last (the reference wants it at every
  /// epoch while the window fills: sorting the whole window each time cost a
  /// node about 5 % of its CPU).
  const std::vector<float>& sorted_evidence(std::size_t k) const;
  /// The global forest's score of each row, in the order of evidence_rows();
  /// NaN where not known or the user's history was short.
  const std::vector<float>& forest_scores() const { return forest_; }
  /// The user's own forest's score of each row, in the same order; 0 where it had no say.
  const std::vector<float>& user_scores() const { return user_; }
  /// How many of the window's rows have each merchant category, and how many have one.
  std::vector<std::pair<std::string, std::size_t>> category_counts() const;
  std::size_t categories_known() const { return categories_known_; }

private:
  static constexpr std::uint16_t no_category = 0xFFFF;
  static constexpr std::size_t max_categories = 4096; ///< later distinct ones go uncounted

  std::size_t capacity_;
  std::size_t head_ = 0;
  std::size_t filled_ = 0;
  std::vector<std::array<float, evidence_count>> evidence_;
  /// A sorted evidence column and the values it gained and lost since it was sorted.
  struct sorted_column {
    std::vector<float> values;
    std::vector<float> added;
    std::vector<float> removed;
    bool stale = true; ///< sort the whole column afresh (first, or too much changed)
  };
  mutable std::array<sorted_column, evidence_count> sorted_;
  std::vector<float> forest_;
  std::vector<float> user_;
  std::vector<std::uint16_t> category_ring_;
  std::unordered_map<std::string, std::uint16_t> category_ids_;
  std::vector<std::uint32_t> category_counts_;
  std::size_t categories_known_ = 0;
};

/// What recent traffic of all users looks like, to calibrate one transaction
/// against it. An Isolation Forest isolates a transaction that is extreme in
/// one feature only when a tree happens to split on that feature, so ten
/// times a user's usual amount, or a first gift-card purchase where hardly
/// anyone buys gift cards, scores barely above everyday traffic although that
/// one feature alone ranks it near the top (bench/eval/RESULTS.md); and a
/// jump across the globe in minutes competes with every other oddity. The
/// empirical distributions of the forest's score (over the global forest's
/// window) and of these three features (over the population window) turn
/// each into a rank, and the verdict's score is the largest: unsupervised,
/// comparable across users and modes, and explainable ("rarer than 99.98 %
/// of all users' recent transactions").
///
/// Not every single feature means something on every traffic: where users
/// routinely buy in categories new to them (a generator or a market whose
/// categories shift by season), a new category is noise, and its top ranks
/// would bury the real alerts. So each single-feature evidence earns a
/// reliability from the traffic itself, without labels: the share of its
/// top rows that the global forest also ranks high (the forest weighs every
/// feature together). Evidence whose extremes the forest corroborates counts
/// fully; evidence whose extremes are ordinary to the forest counts little.
/// The user's own forest earns a reliability the same way, as the share of
/// its blend with the global forest it keeps: where users' own habits are
/// stable, what is odd for the user is odd for the forest over all users
/// too; where they drift (new categories every month, for everyone), the
/// user's forest ranks everyday drift at its top and only dilutes the
/// global forest's score.
/// Immutable once built: shared by every scorer with the global snapshot.
class population_reference {
public:
  struct params {
    std::size_t min_rows = 256;           ///< fewer calibrate nothing
    std::size_t min_category_rows = 1024; ///< fewer known categories: rarity unknown (0)
  };

  /// From the global model's window and forest and the population window;
  /// null while the forest is missing or has fewer than `min_rows` rows.
  static std::shared_ptr<const population_reference> build(const global_model& g,
                                                           const population_window& w, params p);
  /// The same, with the forest's scores of g's window at hand (window_scores).
  static std::shared_ptr<const population_reference> build(const global_model& g,
                                                           const std::vector<float>& forest_scores,
                                                           const population_window& w, params p);
  static std::shared_ptr<const population_reference> build(const global_model& g,
                                                           const population_window& w) {
    return build(g, w, params{});
  }

  /// Ranks of a transaction with forest score `forest_score` and features `x`
  /// (user features when `dims` is user_feature_count; otherwise the forest
  /// alone counts).
  tail_ranks ranks(double forest_score, const float* x, std::size_t dims) const;

  /// How far the ranks of `e` are trusted on this traffic, 0..1 (1 for the
  /// forest, and for evidence too rare in the window to tell).
  double reliability(evidence e) const { return weight_[static_cast<std::size_t>(e)]; }
  /// How far the users' own forests are trusted on this traffic, 0..1: the
  /// factor on a user forest's share of the forests' score (user_model::assess).
  double user_forest_reliability() const { return user_forest_weight_; }

  /// How rare `category` is among all users' recent transactions: -log10 of
  /// its share / 3, so 0 for one everybody uses, 1 for one in a thousand or
  /// rarer; 0 when not known.
  double rarity(std::string_view category) const;

  std::size_t rows() const { return forest_.values().size(); }
  std::uint64_t version() const { return version_; }

  /// Sorted values with every `block`th beside them. Every transaction is
  /// ranked in five columns of up to 65,536 values: a search of the small
  /// index (in cache) and then of one block of 64 values finds the same
  /// position as std::upper_bound over the whole column, without its
  /// mispredicted branches (the searches were 4 % of a node's CPU).
  class sorted_values {
  public:
    static constexpr std::size_t block = 64;
    sorted_values() = default;
    /// `values` sorted ascending; the index is built here, once.
    explicit sorted_values(std::vector<float> values);
    const std::vector<float>& values() const { return values_; }
    /// std::upper_bound's position of `v` in `values()`.
    std::size_t upper_bound(float v) const;

  private:
    std::vector<float> values_;
    std::vector<float> firsts_; ///< values_[0], values_[block], ...
  };

private:
  sorted_values forest_; ///< sorted scores of the forest's window
  std::array<sorted_values, population_window::evidence_count> evidence_;
  std::array<double, evidence_kinds> weight_{1, 1, 1, 1, 1};
  double user_forest_weight_ = 1;
  std::unordered_map<std::string, float> rarity_;
  float unseen_rarity_ = 0;
  std::uint64_t version_ = 0;
};

} // namespace rtad::models
