// Replays a JSONL stream through rtad's detection core offline, as a node
// would score it (same models/ code, same settings and defaults), without
// Kafka, actors or PostgreSQL: one pass over 1M transactions takes about a
// minute instead of a node run, so feature and model changes can be measured
// quickly. Writes the CSV `rtad eval --scores` reads and, optionally, every
// transaction's features and partial scores for analysis.
//
// Differences from a node, which make the figures close but not identical:
// transactions are scored strictly in stream order (a node scores its six
// partitions in parallel, each in order); the global forest takes in a row at
// once (a node forwards it after the sink committed its batch and publishes a
// new snapshot, with a new population reference, at most once a second: here
// every --calibrate-every rows); standard mode has one adaptive threshold (a
// node has one per shard).

#include "actors/convert.hpp"
#include "config/settings.hpp"
#include "messages/codec.hpp"
#include "models/features.hpp"
#include "models/global_model.hpp"
#include "models/population.hpp"
#include "models/user_model.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

constexpr const char* usage =
  "usage: rtad_replay STREAM.jsonl [--set key=value ...] [--out SCORES.csv]\n"
  "                   [--detail DETAIL.csv] [--limit N] [--calibrate-every N]\n"
  "  --set     any rtad setting (rtad config keys), e.g. node.mode=standard,\n"
  "            model.max_user_weight=0; defaults are rtad's\n"
  "  --out     transaction_id,score,flagged for `rtad eval --scores` (default: stdout)\n"
  "  --detail  per transaction: ids, truth, scores, weight, threshold, features\n"
  "  --limit   stop after N transactions\n"
  "  --calibrate-every  rows between new population references (default 16384,\n"
  "            about a second of a node's traffic)\n";

/// Normal rows refit the global forest in eighths of its window, as in node.cpp.
constexpr std::size_t global_refit_fraction = 8;

struct options {
  std::string stream, out = "-", detail;
  std::vector<std::pair<std::string, std::string>> sets;
  std::size_t limit = 0;
  std::size_t calibrate_every = 16384;
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc)
        throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--set") {
      auto kv = next();
      auto eq = kv.find('=');
      if (eq == std::string::npos)
        throw std::runtime_error("--set " + kv + ": expected key=value");
      o.sets.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    } else if (a == "--out") {
      o.out = next();
    } else if (a == "--detail") {
      o.detail = next();
    } else if (a == "--limit") {
      o.limit = std::stoul(next());
    } else if (a == "--calibrate-every") {
      o.calibrate_every = std::max<std::size_t>(1, std::stoul(next()));
    } else if (a == "-h" || a == "--help") {
      std::cout << usage;
      std::exit(0);
    } else if (o.stream.empty()) {
      o.stream = a;
    } else {
      throw std::runtime_error("unexpected argument " + a);
    }
  }
  if (o.stream.empty())
    throw std::runtime_error("no stream given");
  return o;
}

} // namespace

int main(int argc, char** argv) try {
  namespace m = rtad::models;
  auto o = parse(argc, argv);
  rtad::config::settings s;
  for (const auto& [k, v] : o.sets)
    rtad::config::set(s, k, v);
  rtad::config::validate(s);
  bool enhanced = s.node.mode == rtad::config::detection_mode::enhanced;

  auto params = rtad::user_model_params(s.model);
  auto window = static_cast<std::size_t>(s.model.global_window);
  m::global_model global(enhanced ? std::size_t{m::user_feature_count}
                                  : std::size_t{m::standard_feature_count},
                         {s.model.global_trees, s.model.global_sample_size, s.model.seed, enhanced},
                         window, std::max<std::size_t>(1, window / global_refit_fraction),
                         enhanced ? m::user_feature_domains() : m::standard_feature_domains());
  m::adaptive_threshold standard_threshold(rtad::threshold_params(s.model));
  std::unordered_map<std::string, m::user_model> users;

  std::ifstream in(o.stream);
  if (!in)
    throw std::runtime_error("cannot read " + o.stream);
  FILE* out = o.out == "-" ? stdout : std::fopen(o.out.c_str(), "w");
  if (!out)
    throw std::runtime_error("cannot write " + o.out);
  FILE* detail = o.detail.empty() ? nullptr : std::fopen(o.detail.c_str(), "w");
  std::fprintf(out, "transaction_id,score,flagged\n");
  if (detail) {
    std::fprintf(detail, "transaction_id,user_id,timestamp,truth,fraud_type,history,score,"
                         "forest_score,rank_forest,rank_amount,rank_category,rank_travel,rank_spend,"
                         "weight_amount,weight_category,weight_travel,weight_spend,user_score,global_score,"
                         "user_weight,threshold,flagged");
    auto dims = enhanced ? std::size_t{m::user_feature_count} : std::size_t{m::standard_feature_count};
    for (std::size_t f = 0; f < dims; ++f)
      std::fprintf(detail, ",%s",
                   std::string(enhanced ? m::user_feature_name(f) : m::standard_feature_name(f))
                     .c_str());
    std::fprintf(detail, "\n");
  }

  auto started = std::chrono::steady_clock::now();
  std::string line;
  std::size_t n = 0, flagged = 0, since_calibration = 0;
  std::shared_ptr<const m::population_reference> population;
  m::population_window recent;
  while (std::getline(in, line)) {
    if (line.empty())
      continue;
    auto decoded = rtad::decode_transaction(line);
    auto* t = std::get_if<rtad::transaction>(&decoded);
    if (!t)
      throw std::runtime_error("line " + std::to_string(n + 1) + ": " +
                               std::get<rtad::decode_error>(decoded).reason);
    auto input = rtad::to_input(*t);
    auto snap = global.snapshot();
    m::verdict v;
    std::vector<float> x;
    std::size_t history = 0;
    if (enhanced) {
      auto it = users.find(t->user_id);
      if (it == users.end())
        it = users.emplace(t->user_id, m::user_model(params)).first;
      auto& um = it->second;
      history = um.history().size();
      auto fx = um.features(input, population.get());
      v = um.assess(fx, snap.get(), population.get());
      um.record(input, fx, v, t->transaction_id);
      x.assign(fx.begin(), fx.end());
    } else {
      auto fx = m::compute_standard_features(input);
      v = m::assess_standard(fx, snap.get(), population.get(), standard_threshold);
      if (v.calibrated)
        standard_threshold.add(v.score);
      x.assign(fx.begin(), fx.end());
    }
    global.observe(x.data());
    // As a node's sink forwards it: the global forest's score when scored.
    recent.observe(x.data(), x.size(), input.category, v.global_score);
    if (++since_calibration >= o.calibrate_every || (!population && global.snapshot())) {
      if (auto p = m::population_reference::build(global, recent)) {
        population = std::move(p);
        since_calibration = 0;
      }
    }
    flagged += v.anomalous;
    std::fprintf(out, "%s,%.6f,%d\n", t->transaction_id.c_str(), v.score, v.anomalous ? 1 : 0);
    if (detail) {
      std::fprintf(detail,
                   "%s,%s,%lld,%d,%s,%zu,%.6f,%.5f,%.6f,%.6f,%.6f,%.6f,%.6f,%.3f,%.3f,%.3f,%.3f,"
                   "%.5f,%.5f,%.3f,%.5f,%d",
                   t->transaction_id.c_str(), t->user_id.c_str(),
                   static_cast<long long>(t->timestamp), static_cast<int>(t->anomalous),
                   t->fraud_type.c_str(), history, v.score, v.forest_score, v.ranks.forest,
                   v.ranks.amount, v.ranks.category, v.ranks.travel, v.ranks.spend,
                   v.ranks.weight[1], v.ranks.weight[2], v.ranks.weight[3], v.ranks.weight[4],
                   v.user_score, v.global_score,
                   v.user_weight, v.threshold, v.anomalous ? 1 : 0);
      for (auto f : x)
        std::fprintf(detail, ",%.4g", static_cast<double>(f));
      std::fprintf(detail, "\n");
    }
    if (++n == o.limit)
      break;
  }
  if (out != stdout)
    std::fclose(out);
  if (detail)
    std::fclose(detail);
  auto s_elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::size_t model_bytes = 0, window_rows = 0;
  for (const auto& [id, um] : users) {
    model_bytes += um.memory_bytes();
    window_rows += um.history().size();
  }
  std::fprintf(stderr,
               "rtad_replay: %zu transactions, %zu flagged, %zu users, %.1f s; user models: "
               "%.0f bytes by memory_bytes() (%.0f per user, %.0f window rows per user)\n",
               n, flagged, users.size(), s_elapsed, static_cast<double>(model_bytes),
               users.empty() ? 0.0 : static_cast<double>(model_bytes) / users.size(),
               users.empty() ? 0.0 : static_cast<double>(window_rows) / users.size());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "rtad_replay: %s\n%s", e.what(), usage);
  return 2;
}
