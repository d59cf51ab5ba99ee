#include "models/population.hpp"

#include "models/features.hpp"
#include "models/window_scores.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace rtad::models {

namespace {

/// -log10(share) / this: a category one in a thousand transactions use is as rare as it gets.
constexpr double rarity_decades = 3;

/// Columns of the population window, in the order of `evidence` after the forest.
enum : std::size_t { e_amount, e_category, e_travel, e_spend };

// Reliability of single-feature evidence (population_reference): its top
// rows are the window's top `agreement_top_share` by that evidence; the
// forest corroborates a row it ranks in its own top `forest_top_share`. By
// chance `forest_top_share` of the top rows would be; an agreement of
// `agreement_none` or less makes the evidence count for nothing, of
// `agreement_full` or more fully, linearly between.
constexpr double agreement_top_share = 0.003;
constexpr double forest_top_share = 0.02;
constexpr double agreement_none = 0.2;
constexpr double agreement_full = 0.5;
/// The spend counts this transaction's amount, so the top spends include the
/// top amounts and would borrow their corroboration: spend is judged on rows
/// outside the amount's top `amount_top_share` (what it says beyond the amount).
constexpr double amount_top_share = 0.01;
/// Fewer top rows (or fewer scored rows in the window) tell nothing: the evidence counts fully.
constexpr std::size_t min_agreement_rows = 32;
constexpr std::size_t min_scored_rows = 4096;
/// log(1 + 20): rows of users with fewer transactions do not count.
const float min_agreement_log_history = to_half_precision(static_cast<float>(std::log1p(20.0)));

/// Travel as evidence: a change of country an airliner could have made
/// (f_travel is log(1 + km/h)) is no evidence by itself, only a faster one.
/// Most changes of country are flights, and every one of them is rare among
/// all transactions: ranked as such, a trip abroad ranked near a card used on
/// two continents within the hour.
float travel_evidence(float log_kmh) {
  static const auto plausible = static_cast<float>(std::log1p(max_plausible_kmh));
  return log_kmh > plausible ? log_kmh : 0.0f;
}

/// The value above which the top `share` of `v` lies (`v` is reordered).
float cut_at_top(std::vector<float>& v, double share) {
  auto k = static_cast<std::size_t>(static_cast<double>(v.size()) * (1.0 - share));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

/// The share of the top rows by `value(i)` that the forest ranks in its
/// own top, over the window's rows with a forest score; negative where the
/// window cannot tell. `judged` are those rows, `forest_cut` the forest's top.
template <class Value>
double agreement_of(const population_window& w, const std::vector<std::size_t>& judged,
                    float forest_cut, std::vector<float>& column, Value value) {
  for (std::size_t j = 0; j < judged.size(); ++j)
    column[j] = value(judged[j]);
  float value_cut = cut_at_top(column, agreement_top_share);
  std::size_t top = 0, agreed = 0;
  for (auto i : judged) {
    auto v = value(i);
    if (v <= 0 || v < value_cut)
      continue;
    ++top;
    agreed += w.forest_scores()[i] >= forest_cut;
  }
  return top >= min_agreement_rows ? static_cast<double>(agreed) / static_cast<double>(top) : -1;
}

/// Per evidence column of `w`, then the users' own forests (last): the
/// share of its top rows that the forest ranks in its own top; negative
/// where the window cannot tell.
std::array<double, population_window::evidence_count + 1> agreement(const population_window& w) {
  std::array<double, population_window::evidence_count + 1> out;
  out.fill(-1);
  std::vector<std::size_t> judged; // rows with a forest score
  for (std::size_t i = 0; i < w.forest_scores().size(); ++i)
    if (std::isfinite(w.forest_scores()[i]))
      judged.push_back(i);
  if (judged.size() < min_scored_rows)
    return out;
  std::vector<float> column(judged.size());
  for (std::size_t j = 0; j < judged.size(); ++j)
    column[j] = w.forest_scores()[judged[j]];
  float forest_cut = cut_at_top(column, forest_top_share);
  for (std::size_t j = 0; j < judged.size(); ++j)
    column[j] = w.evidence_rows()[judged[j]][e_amount];
  float amount_cut = cut_at_top(column, amount_top_share);
  auto amount_extreme = [&](std::size_t i) {
    auto a = w.evidence_rows()[i][e_amount];
    return a > 0 && a >= amount_cut;
  };
  for (std::size_t k = 0; k < population_window::evidence_count; ++k)
    out[k] = agreement_of(w, judged, forest_cut, column, [&](std::size_t i) {
      return k == e_spend && amount_extreme(i) ? 0.0f : w.evidence_rows()[i][k];
    });
  out.back() =
    agreement_of(w, judged, forest_cut, column, [&](std::size_t i) { return w.user_scores()[i]; });
  return out;
}

/// Reliability from an agreement: none at `agreement_none`, full at `agreement_full`.
double reliability_of(double agreed) {
  return std::clamp((agreed - agreement_none) / (agreement_full - agreement_none), 0.0, 1.0);
}

float rarity_of_share(double share) {
  return static_cast<float>(std::clamp(-std::log10(share) / rarity_decades, 0.0, 1.0));
}

/// Share of `sorted` below `v`, interpolated between neighbours and, beyond
/// the largest, approaching 1 as `v` grows: a sample of n rows tells its top
/// values apart only in steps of 1/n, and the top is where alerts are.
/// 0 when the column is empty or, with `zero_is_none`, for no evidence at
/// all. `beyond` tells whether `v` exceeds every value of the column.
double rank_in(const population_reference::sorted_values& column, double v, bool zero_is_none,
               bool& beyond) {
  beyond = false;
  const auto& sorted = column.values();
  if (sorted.empty() || (zero_is_none && v <= 0))
    return 0.0;
  auto n = static_cast<double>(sorted.size());
  auto i = column.upper_bound(static_cast<float>(v));
  if (i == sorted.size()) {
    double top = sorted.back();
    beyond = v > top;
    return v > top && top > 0 ? 1.0 - top / v / (n + 1) : n / (n + 1);
  }
  double frac = 0;
  if (i > 0) {
    double lo = sorted[i - 1], hi = sorted[i];
    frac = hi > lo ? (v - lo) / (hi - lo) : 0.0;
  }
  return (static_cast<double>(i) + frac) / (n + 1);
}

} // namespace

std::string_view to_string(evidence e) {
  switch (e) {
  case evidence::forest:
    return "forest";
  case evidence::amount:
    return "amount";
  case evidence::category:
    return "category";
  case evidence::travel:
    return "travel";
  case evidence::spend:
    return "spend";
  }
  return "?";
}

double tail_ranks::rank(evidence e) const {
  switch (e) {
  case evidence::forest:
    return forest;
  case evidence::amount:
    return amount;
  case evidence::category:
    return category;
  case evidence::travel:
    return travel;
  case evidence::spend:
    return spend;
  }
  return 0;
}

double tail_ranks::weighted(evidence e) const {
  auto w = weight[static_cast<std::size_t>(e)];
  auto r = rank(e);
  return w >= 1 ? r : 1.0 - std::pow(std::max(0.0, 1.0 - r), w);
}

double tail_ranks::top() const {
  return weighted(strongest());
}

evidence tail_ranks::strongest() const {
  // The forest wins ties: it is the explanation with the most detail.
  constexpr std::array<evidence, evidence_kinds> order{
    evidence::forest, evidence::amount, evidence::travel, evidence::category, evidence::spend};
  auto best = order[0];
  auto best_value = weighted(best);
  for (auto e : order)
    if (auto value = weighted(e); value > best_value) {
      best = e;
      best_value = value;
    }
  return best;
}

population_window::population_window(std::size_t capacity)
    : capacity_(std::max<std::size_t>(capacity, 1)), category_ring_(capacity_, no_category) {
  evidence_.reserve(capacity_);
}

void population_window::observe(const float* row, std::size_t dims, std::string_view category,
                                double forest_score, double user_score) {
  std::array<float, evidence_count> e{};
  if (dims == user_feature_count) {
    e = {std::abs(row[f_amount_z]), row[f_category_rarity], travel_evidence(row[f_travel]),
         row[f_spend_ratio]};
    // Against a short history every feature is noisy: only rows of users
    // with some history judge which evidence this traffic supports.
    if (row[f_log_history] < min_agreement_log_history)
      forest_score = std::numeric_limits<double>::quiet_NaN();
  }
  for (std::size_t k = 0; k < evidence_count; ++k) {
    auto& c = sorted_[k];
    if (c.stale)
      continue;
    c.added.push_back(e[k]);
    if (filled_ == capacity_)
      c.removed.push_back(evidence_[head_][k]);
    if (c.added.size() > capacity_ / 2)
      c = sorted_column{}; // sorting afresh costs less now than merging
  }
  if (filled_ < capacity_) {
    evidence_.push_back(e);
    forest_.push_back(static_cast<float>(forest_score));
    user_.push_back(static_cast<float>(user_score));
  } else {
    evidence_[head_] = e;
    forest_[head_] = static_cast<float>(forest_score);
    user_[head_] = static_cast<float>(user_score);
  }
  if (auto old = category_ring_[head_]; old != no_category) {
    --category_counts_[old];
    --categories_known_;
  }
  auto id = no_category;
  if (!category.empty()) {
    auto it = category_ids_.find(std::string(category));
    if (it == category_ids_.end() && category_ids_.size() < max_categories) {
      it = category_ids_.emplace(std::string(category), category_counts_.size()).first;
      category_counts_.push_back(0);
    }
    if (it != category_ids_.end()) {
      id = it->second;
      ++category_counts_[id];
      ++categories_known_;
    }
  }
  category_ring_[head_] = id;
  head_ = (head_ + 1) % capacity_;
  filled_ = std::min(filled_ + 1, capacity_);
}

const std::vector<float>& population_window::sorted_evidence(std::size_t k) const {
  auto& c = sorted_[k];
  if (c.stale) {
    c.values.clear();
    c.values.reserve(capacity_);
    for (const auto& e : evidence_)
      c.values.push_back(e[k]);
    std::sort(c.values.begin(), c.values.end());
    c.stale = false;
    return c.values;
  }
  if (c.added.empty())
    return c.values;
  std::sort(c.added.begin(), c.added.end());
  std::sort(c.removed.begin(), c.removed.end());
  std::vector<float> kept;
  kept.reserve(c.values.size());
  std::set_difference(c.values.begin(), c.values.end(), c.removed.begin(), c.removed.end(),
                      std::back_inserter(kept));
  c.values.clear();
  std::merge(kept.begin(), kept.end(), c.added.begin(), c.added.end(),
             std::back_inserter(c.values));
  c.added.clear();
  c.removed.clear();
  return c.values;
}

std::vector<std::pair<std::string, std::size_t>> population_window::category_counts() const {
  std::vector<std::pair<std::string, std::size_t>> out;
  out.reserve(category_ids_.size());
  for (const auto& [name, id] : category_ids_)
    if (category_counts_[id] > 0)
      out.emplace_back(name, category_counts_[id]);
  return out;
}

std::shared_ptr<const population_reference>
population_reference::build(const global_model& g, const population_window& w, params p) {
  window_scores scores;
  return build(g, scores.of(g), w, p);
}

std::shared_ptr<const population_reference>
population_reference::build(const global_model& g, const std::vector<float>& forest_scores,
                            const population_window& w, params p) {
  auto forest = g.snapshot();
  auto n = g.rows();
  if (!forest || !forest->trained() || n < std::max<std::size_t>(p.min_rows, 1) ||
      forest_scores.size() != n)
    return nullptr;
  auto ref = std::make_shared<population_reference>();
  ref->version_ = g.version();
  auto scores = forest_scores;
  std::sort(scores.begin(), scores.end());
  ref->forest_ = sorted_values(std::move(scores));
  if (w.size() >= p.min_rows) {
    for (std::size_t k = 0; k < population_window::evidence_count; ++k) {
      auto column = w.sorted_evidence(k);
      // A column where most rows lack the evidence (scored before the
      // population was known, or before users had any history) cannot place a
      // transaction that has it: anything would rank at the top. Travel is the
      // exception: most transactions stay in one country.
      if (k == e_amount || k == e_category) {
        auto none = std::upper_bound(column.begin(), column.end(), 0.0f) - column.begin();
        if (static_cast<std::size_t>(none) * 2 > column.size())
          column.clear();
      }
      ref->evidence_[k] = sorted_values(std::move(column));
    }
    auto agreed = agreement(w);
    for (std::size_t k = 0; k < population_window::evidence_count; ++k)
      if (agreed[k] >= 0)
        ref->weight_[k + 1] = reliability_of(agreed[k]);
    if (agreed.back() >= 0)
      ref->user_forest_weight_ = reliability_of(agreed.back());
  }
  if (auto known = w.categories_known(); known >= std::max<std::size_t>(p.min_category_rows, 1)) {
    auto total = static_cast<double>(known) + 1.0;
    for (const auto& [name, count] : w.category_counts())
      ref->rarity_.emplace(name, rarity_of_share((static_cast<double>(count) + 0.5) / total));
    // Half a transaction for a category never seen: rare, not impossible.
    ref->unseen_rarity_ = rarity_of_share(0.5 / total);
  }
  return ref;
}

population_reference::sorted_values::sorted_values(std::vector<float> values)
    : values_(std::move(values)) {
  for (std::size_t i = 0; i < values_.size(); i += block)
    firsts_.push_back(values_[i]);
}

namespace {

/// std::upper_bound's position of `v` in sorted [first, first + n), without
/// branches on the data: the comparison picks the half by a conditional
/// move, where std::upper_bound's branch is mispredicted half of the time
/// (`rtad_replay` 3.52 -> 3.41 CPU-s on 300,000 transactions with the index).
std::size_t branchless_upper_bound(const float* first, std::size_t n, float v) {
  if (n == 0)
    return 0;
  const float* base = first;
  while (n > 1) {
    auto half = n / 2;
    base = base[half] <= v ? base + half : base;
    n -= half;
  }
  return static_cast<std::size_t>(base - first) + (*base <= v);
}

} // namespace

std::size_t population_reference::sorted_values::upper_bound(float v) const {
  auto j = branchless_upper_bound(firsts_.data(), firsts_.size(), v);
  if (j == 0)
    return 0; // below values_[0]
  // values_[(j - 1) * block] <= v < values_[j * block]: the position is in between.
  auto from = (j - 1) * block;
  return from +
         branchless_upper_bound(values_.data() + from, std::min(block, values_.size() - from), v);
}

tail_ranks population_reference::ranks(double forest_score, const float* x,
                                       std::size_t dims) const {
  tail_ranks r;
  auto beyond = [&](evidence e) -> bool& { return r.beyond[static_cast<std::size_t>(e)]; };
  r.forest = rank_in(forest_, forest_score, false, beyond(evidence::forest));
  if (dims == user_feature_count) {
    r.amount =
      rank_in(evidence_[e_amount], std::abs(x[f_amount_z]), true, beyond(evidence::amount));
    r.category =
      rank_in(evidence_[e_category], x[f_category_rarity], true, beyond(evidence::category));
    r.travel =
      rank_in(evidence_[e_travel], travel_evidence(x[f_travel]), true, beyond(evidence::travel));
    r.spend = rank_in(evidence_[e_spend], x[f_spend_ratio], true, beyond(evidence::spend));
    r.weight = weight_;
  }
  return r;
}

double population_reference::rarity(std::string_view category) const {
  if (rarity_.empty())
    return 0.0;
  auto it = rarity_.find(std::string(category));
  return it == rarity_.end() ? unseen_rarity_ : it->second;
}

} // namespace rtad::models
