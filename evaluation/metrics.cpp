#include "evaluation/metrics.hpp"

#include <algorithm>

namespace rtad::eval {

namespace {

double ratio(std::uint64_t a, std::uint64_t b) {
  return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
}

// Walks thresholds from the highest score down, one step per distinct score,
// and calls f(tp, fp) with the counts at or above that threshold.
template <class F>
std::uint64_t for_each_threshold(std::vector<ranked>& examples, F f) {
  std::sort(examples.begin(), examples.end(),
            [](const ranked& a, const ranked& b) { return a.score > b.score; });
  std::uint64_t positives = 0;
  for (const auto& e : examples)
    positives += e.positive;
  std::uint64_t tp = 0, fp = 0;
  for (std::size_t i = 0; i < examples.size(); ++i) {
    (examples[i].positive ? tp : fp) += 1;
    if (i + 1 == examples.size() || examples[i + 1].score != examples[i].score)
      f(tp, fp, positives);
  }
  return positives;
}

} // namespace

double confusion::precision() const {
  return ratio(tp, tp + fp);
}
double confusion::recall() const {
  return ratio(tp, tp + fn);
}
double confusion::f1() const {
  const double p = precision(), r = recall();
  return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}
double confusion::false_positive_rate() const {
  return ratio(fp, fp + tn);
}

double average_precision(std::vector<ranked>& examples) {
  double ap = 0, last_recall = 0;
  for_each_threshold(examples, [&](std::uint64_t tp, std::uint64_t fp, std::uint64_t positives) {
    if (positives == 0)
      return;
    const double recall = ratio(tp, positives);
    ap += (recall - last_recall) * ratio(tp, tp + fp);
    last_recall = recall;
  });
  return ap;
}

double best_f1(std::vector<ranked>& examples) {
  double best = 0;
  for_each_threshold(examples, [&](std::uint64_t tp, std::uint64_t fp, std::uint64_t positives) {
    confusion c{tp, fp, positives - tp, 0};
    best = std::max(best, c.f1());
  });
  return best;
}

} // namespace rtad::eval
