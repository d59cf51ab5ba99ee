#include "evaluation/report_format.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace rtad::eval {

namespace {

std::string fixed(double v, int digits = 3) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string pad(const std::string& s, std::size_t width, bool right = true) {
  if (s.size() >= width)
    return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

constexpr std::size_t name_width = 26;
constexpr std::size_t col_width = 10;

std::string row(const std::string& name, const std::vector<std::string>& cells) {
  std::string line = pad(name, name_width, false);
  for (const auto& c : cells)
    line += pad(c, col_width);
  return line + "\n";
}

std::string delay_cells(const delay_stats& d) {
  return pad(std::to_string(d.detected) + "/" + std::to_string(d.episodes), col_width) +
         pad(d.detected ? fixed(d.mean_missed, 2) : "-", col_width) +
         pad(d.detected ? fixed(d.p90_missed, 0) : "-", col_width) +
         pad(d.detected ? fixed(d.mean_seconds, 0) : "-", col_width);
}

nlohmann::json delay_json(const delay_stats& d) {
  return {{"episodes", d.episodes},
          {"detected", d.detected},
          {"episode_recall", d.episode_recall},
          {"mean_missed", d.mean_missed},
          {"median_missed", d.median_missed},
          {"p90_missed", d.p90_missed},
          {"mean_seconds", d.mean_seconds}};
}

nlohmann::json confusion_json(const confusion& c) {
  return {
    {"tp", c.tp},           {"fp", c.fp},  {"fn", c.fn}, {"tn", c.tn}, {"precision", c.precision()},
    {"recall", c.recall()}, {"f1", c.f1()}};
}

} // namespace

std::string to_table(const eval_report& r) {
  std::string out;
  out += "judged " + std::to_string(r.joined) + " of " + std::to_string(r.truth) +
         " labelled transactions";
  if (r.missing)
    out += " (" + std::to_string(r.missing) + " without a verdict)";
  if (r.unknown)
    out += "; " + std::to_string(r.unknown) + " verdicts without truth ignored";
  out += "\n\n";
  out += row("", {"count", "flagged", "precision", "recall", "F1", "PR-AUC"});
  const auto& d = r.decisions;
  out +=
    row("all fraud", {std::to_string(d.tp + d.fn), std::to_string(d.tp + d.fp),
                      fixed(d.precision()), fixed(d.recall()), fixed(d.f1()), fixed(r.pr_auc)});
  for (const auto& t : r.fraud_types) {
    const auto& c = t.decisions;
    out += row("  " + t.type, {std::to_string(t.count), std::to_string(c.tp), fixed(c.precision()),
                               fixed(c.recall()), fixed(c.f1()), fixed(t.pr_auc)});
  }
  out += "best F1 at any score threshold: " + fixed(r.best_f1) + "\n\n";

  out += row("not fraud", {"count", "flagged", "FP rate"});
  for (const auto& b : r.benign)
    out += row("  " + b.type,
               {std::to_string(b.count), std::to_string(b.flagged), fixed(b.flag_rate, 4)});
  out += row("  all benign surprises", {"", "", fixed(r.surprise_flag_rate, 4)});
  out += "\n";

  out += row("detection delay", {"caught", "missed", "p90", "seconds"});
  out += pad("all fraud episodes", name_width, false) + delay_cells(r.delay) + "\n";
  for (const auto& t : r.fraud_types)
    out += pad("  " + t.type, name_width, false) + delay_cells(t.delay) + "\n";
  out += "(caught: episodes with a flag / episodes; missed: mean fraudulent transactions that\n"
         " passed before the first flag; p90 of the same; seconds: mean time to that flag)\n";
  return out;
}

std::string to_json(const eval_report& r) {
  nlohmann::json j;
  j["truth"] = r.truth;
  j["scored"] = r.scored;
  j["judged"] = r.joined;
  j["missing"] = r.missing;
  j["unknown"] = r.unknown;
  j["overall"] = confusion_json(r.decisions);
  j["overall"]["pr_auc"] = r.pr_auc;
  j["overall"]["best_f1"] = r.best_f1;
  j["overall"]["delay"] = delay_json(r.delay);
  j["fraud_types"] = nlohmann::json::object();
  for (const auto& t : r.fraud_types) {
    auto m = confusion_json(t.decisions);
    m["count"] = t.count;
    m["pr_auc"] = t.pr_auc;
    m["delay"] = delay_json(t.delay);
    j["fraud_types"][t.type] = m;
  }
  j["benign"] = nlohmann::json::object();
  for (const auto& b : r.benign)
    j["benign"][b.type == everyday_label ? "everyday" : b.type] = {
      {"count", b.count}, {"flagged", b.flagged}, {"fp_rate", b.flag_rate}};
  j["benign_surprise_fp_rate"] = r.surprise_flag_rate;
  return j.dump(2);
}

} // namespace rtad::eval
