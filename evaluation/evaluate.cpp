#include "evaluation/evaluate.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace rtad::eval {

namespace {

/// A truth record joined with its verdict.
struct judged {
  const truth_record* truth;
  const scored_record* verdict;
};

double share(std::uint64_t a, std::uint64_t b) {
  return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
}

double quantile(std::vector<double> v, double q) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  // Nearest rank: an actual observed delay, as people expect of "p90".
  auto rank = static_cast<std::size_t>(q * static_cast<double>(v.size()) + 0.999999);
  return v[std::min(v.size(), std::max<std::size_t>(rank, 1)) - 1];
}

// Episodes: per user and fraud type, in time order, split where the gap to
// the previous fraudulent transaction exceeds the episode gap.
delay_stats delays(std::vector<judged> fraud, std::int64_t gap_s) {
  std::stable_sort(fraud.begin(), fraud.end(), [](const judged& a, const judged& b) {
    const auto &x = *a.truth, &y = *b.truth;
    if (x.user_id != y.user_id)
      return x.user_id < y.user_id;
    if (x.fraud_type != y.fraud_type)
      return x.fraud_type < y.fraud_type;
    return x.timestamp < y.timestamp;
  });
  delay_stats d;
  std::vector<double> missed, seconds;
  for (std::size_t i = 0; i < fraud.size();) {
    std::size_t end = i + 1;
    while (end < fraud.size() && fraud[end].truth->user_id == fraud[i].truth->user_id &&
           fraud[end].truth->fraud_type == fraud[i].truth->fraud_type &&
           fraud[end].truth->timestamp - fraud[end - 1].truth->timestamp <= gap_s)
      ++end;
    ++d.episodes;
    for (std::size_t j = i; j < end; ++j) {
      if (!fraud[j].verdict->flagged)
        continue;
      ++d.detected;
      missed.push_back(static_cast<double>(j - i));
      seconds.push_back(static_cast<double>(fraud[j].truth->timestamp - fraud[i].truth->timestamp));
      break;
    }
    i = end;
  }
  d.episode_recall = share(d.detected, d.episodes);
  if (!missed.empty()) {
    double sum_missed = 0, sum_s = 0;
    for (std::size_t k = 0; k < missed.size(); ++k)
      sum_missed += missed[k], sum_s += seconds[k];
    d.mean_missed = sum_missed / static_cast<double>(missed.size());
    d.mean_seconds = sum_s / static_cast<double>(seconds.size());
    d.median_missed = quantile(missed, 0.5);
    d.p90_missed = quantile(missed, 0.9);
  }
  return d;
}

} // namespace

eval_report evaluate(const std::vector<truth_record>& truth,
                     const std::vector<scored_record>& scores, const eval_options& options) {
  eval_report r;
  r.truth = truth.size();
  r.scored = scores.size();
  std::unordered_map<std::string_view, const scored_record*> verdict_of;
  verdict_of.reserve(scores.size());
  for (const auto& s : scores)
    verdict_of[s.transaction_id] = &s;

  std::unordered_map<std::string_view, const truth_record*> truth_of;
  truth_of.reserve(truth.size());
  for (const auto& t : truth)
    truth_of[t.transaction_id] = &t;
  r.truth = truth_of.size();

  std::vector<judged> all;
  all.reserve(truth_of.size());
  for (const auto& t : truth) {
    if (truth_of[t.transaction_id] != &t)
      continue; // an earlier duplicate
    auto it = verdict_of.find(t.transaction_id);
    if (it == verdict_of.end()) {
      ++r.missing;
      continue;
    }
    all.push_back({&t, it->second});
  }
  r.joined = all.size();
  for (const auto& [id, _] : verdict_of)
    r.unknown += truth_of.count(id) == 0;

  std::vector<ranked> ranks;
  ranks.reserve(all.size());
  std::map<std::string, std::vector<judged>> fraud_by_type;
  std::map<std::string, benign_metrics> benign_by_type;
  std::vector<judged> fraud;
  std::vector<ranked> negatives;
  std::uint64_t surprises = 0, surprises_flagged = 0;
  for (const auto& j : all) {
    const bool flagged = j.verdict->flagged;
    const bool positive = j.truth->anomalous;
    ranks.push_back({j.verdict->score, positive});
    if (positive) {
      (flagged ? r.decisions.tp : r.decisions.fn) += 1;
      fraud.push_back(j);
      fraud_by_type[j.truth->fraud_type.empty() ? "(untyped)" : j.truth->fraud_type].push_back(j);
      continue;
    }
    (flagged ? r.decisions.fp : r.decisions.tn) += 1;
    negatives.push_back({j.verdict->score, false});
    const auto& type =
      j.truth->fraud_type.empty() ? std::string(everyday_label) : j.truth->fraud_type;
    auto& b = benign_by_type[type];
    b.type = type;
    ++b.count;
    b.flagged += flagged;
    if (!j.truth->fraud_type.empty()) {
      ++surprises;
      surprises_flagged += flagged;
    }
  }
  r.pr_auc = average_precision(ranks);
  r.best_f1 = best_f1(ranks);
  r.delay = delays(fraud, options.episode_gap_s);
  r.surprise_flag_rate = share(surprises_flagged, surprises);

  for (auto& [type, rows] : fraud_by_type) {
    fraud_type_metrics m;
    m.type = type;
    m.count = rows.size();
    m.decisions.fp = r.decisions.fp;
    m.decisions.tn = r.decisions.tn;
    std::vector<ranked> type_ranks = negatives;
    for (const auto& j : rows) {
      (j.verdict->flagged ? m.decisions.tp : m.decisions.fn) += 1;
      type_ranks.push_back({j.verdict->score, true});
    }
    m.pr_auc = average_precision(type_ranks);
    m.delay = delays(rows, options.episode_gap_s);
    r.fraud_types.push_back(std::move(m));
  }
  for (auto& [type, b] : benign_by_type) {
    b.flag_rate = share(b.flagged, b.count);
    r.benign.push_back(b);
  }
  // Everyday traffic first: it is the baseline the surprises compare with.
  std::stable_partition(r.benign.begin(), r.benign.end(),
                        [](const benign_metrics& b) { return b.type == everyday_label; });
  return r;
}

} // namespace rtad::eval
