// Replays a JSONL stream through rtad's detection core offline, as a node
// would score it (same models/ code, same settings and defaults), without
// Kafka, actors or PostgreSQL: one pass over 1M transactions takes about a
// minute instead of a node run, so feature and model changes can be measured
// quickly. Writes the CSV `rtad eval --scores` reads and, optionally, every
// transaction's features and partial scores for analysis.
//
// The stream is split over --partitions as the producer of compare.sh splits
// it (Kafka's murmur2 of the user id), each partition numbered from offset 0,
// and the population model closes epochs as a node's does
// (models/epoch_model.hpp); standard mode keeps a threshold per shard
// (node.shards) and partition, as a node's shards do. So the scores are the
// ones a node stores for the same topic.

#include "actors/detail/by_user_ordinals.hpp"
#include "actors/detail/convert.hpp"
#include "config/settings.hpp"
#include "messages/codec.hpp"
#include "models/epoch_model.hpp"
#include "models/features.hpp"
#include "models/global_model.hpp"
#include "models/user_model.hpp"

#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

constexpr const char* usage =
  "usage: rtad_replay STREAM.jsonl [--set key=value ...] [--out SCORES.csv]\n"
  "                   [--detail DETAIL.csv] [--limit N] [--partitions N]\n"
  "  --set     any rtad setting (rtad config keys), e.g. node.mode=standard,\n"
  "            model.max_user_weight=0; defaults are rtad's\n"
  "  --out     transaction_id,score,flagged for `rtad eval --scores` (default: stdout)\n"
  "  --detail  per transaction: ids, truth, scores, weight, threshold, features\n"
  "  --limit   stop after N transactions\n"
  "  --partitions  of the topic a node would read (default 6, as compare.sh)\n";

/// Normal rows refit the global forest in eighths of its window, as in node.cpp.
constexpr std::size_t global_refit_fraction = 8;

struct options {
  std::string stream, out = "-", detail;
  std::vector<std::pair<std::string, std::string>> sets;
  std::size_t limit = 0;
  std::size_t partitions = 6;
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
    } else if (a == "--partitions") {
      o.partitions = std::max<std::size_t>(1, std::stoul(next()));
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
  auto dims =
    enhanced ? std::size_t{m::user_feature_count} : std::size_t{m::standard_feature_count};
  m::epoch_model population_model(m::global_model(
    dims, {s.model.global_trees, s.model.global_sample_size, s.model.seed, enhanced}, window,
    std::max<std::size_t>(1, window / global_refit_fraction),
    enhanced ? m::user_feature_domains() : m::standard_feature_domains()));
  m::epoch_book<m::epoch_snapshot> book;
  // Standard mode: a node's shards keep a threshold per partition, each
  // meeting its users' transactions in Kafka order.
  std::map<std::pair<std::size_t, std::int32_t>, m::adaptive_threshold> standard_thresholds;
  auto shards = static_cast<std::size_t>(s.node.shards);
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
    std::fprintf(detail,
                 "transaction_id,user_id,timestamp,truth,fraud_type,history,score,"
                 "forest_score,rank_forest,rank_amount,rank_category,rank_travel,rank_spend,"
                 "weight_amount,weight_category,weight_travel,weight_spend,user_score,global_score,"
                 "user_weight,threshold,flagged");
    for (std::size_t f = 0; f < dims; ++f)
      std::fprintf(
        detail, ",%s",
        std::string(enhanced ? m::user_feature_name(f) : m::standard_feature_name(f)).c_str());
    std::fprintf(detail, "\n");
  }

  // Hands every epoch that can close to the book, as a node's shards get them.
  auto close_epochs = [&] {
    for (auto& closed : population_model.advance())
      book.add(closed.epoch, std::move(closed));
  };

  auto started = std::chrono::steady_clock::now();
  std::size_t n = 0, flagged = 0; // transactions read, flagged

  // Scores one transaction with the snapshot of its epoch, then stores it
  // (as a node's sink does) so that epochs close.
  auto score = [&](rtad::transaction& t) {
    if (auto it = users.find(t.user_id);
        enhanced && it != users.end() &&
        it->second.redelivered(t.transaction_id, {t.partition, t.offset})) {
      // As a node: a producer's retry keeps its first verdict, stored and learnt once.
      population_model.stored(t.partition, t.offset + 1);
      close_epochs();
      return;
    }
    auto input = rtad::to_input(t);
    const auto* snapshot = book.for_epoch(t.epoch);
    auto* forest = snapshot->forest.get();
    auto* population = snapshot->population.get();
    m::verdict v;
    std::vector<float> x;
    std::size_t history = 0;
    if (enhanced) {
      auto it = users.find(t.user_id);
      if (it == users.end())
        it = users.emplace(t.user_id, m::user_model(params)).first;
      auto& um = it->second;
      history = um.history().size();
      auto fx = um.features(input, population);
      v = um.assess(fx, forest, population);
      um.record(input, fx, v, t.transaction_id, {t.partition, t.offset});
      x.assign(fx.begin(), fx.end());
    } else {
      auto fx = m::compute_standard_features(input);
      auto& threshold = standard_thresholds
                          .try_emplace({rtad::shard_of(t.user_id, shards), t.partition},
                                       rtad::threshold_params(s.model))
                          .first->second;
      v = m::assess_standard(fx, forest, population, threshold);
      if (v.calibrated)
        threshold.add(v.score);
      x.assign(fx.begin(), fx.end());
    }
    population_model.add(t.partition, t.offset, x.data(), static_cast<float>(v.global_score),
                         input.category, static_cast<float>(v.user_score));
    population_model.stored(t.partition, t.offset + 1);
    close_epochs();
    flagged += v.anomalous;
    std::fprintf(out, "%s,%.6f,%d\n", t.transaction_id.c_str(), v.score, v.anomalous ? 1 : 0);
    if (detail) {
      std::fprintf(detail,
                   "%s,%s,%lld,%d,%s,%zu,%.6f,%.5f,%.6f,%.6f,%.6f,%.6f,%.6f,%.3f,%.3f,%.3f,%.3f,"
                   "%.5f,%.5f,%.3f,%.5f,%d",
                   t.transaction_id.c_str(), t.user_id.c_str(), static_cast<long long>(t.timestamp),
                   static_cast<int>(t.anomalous), t.fraud_type.c_str(), history, v.score,
                   v.forest_score, v.ranks.forest, v.ranks.amount, v.ranks.category, v.ranks.travel,
                   v.ranks.spend, v.ranks.weight[1], v.ranks.weight[2], v.ranks.weight[3],
                   v.ranks.weight[4], v.user_score, v.global_score, v.user_weight, v.threshold,
                   v.anomalous ? 1 : 0);
      for (auto f : x)
        std::fprintf(detail, ",%.4g", static_cast<double>(f));
      std::fprintf(detail, "\n");
    }
  };

  // A node reads its partitions side by side, each in order, and a
  // transaction waits while its epoch's model is not closed: here each
  // partition's queue goes on as far as it can whenever something closed.
  std::vector<std::deque<rtad::transaction>> waiting(o.partitions);
  std::vector<std::int64_t> next_offset(o.partitions, 0);
  std::vector<m::epoch_clock> clocks(
    o.partitions, m::epoch_clock(m::epoch_plan_of(s.model.epoch_offsets, s.model.epoch_seconds)));
  std::set<std::int32_t> all;
  for (std::size_t p = 0; p < o.partitions; ++p)
    all.insert(static_cast<std::int32_t>(p));
  population_model.assign(all);
  for (auto p : all)
    population_model.start(p, 0);
  close_epochs();
  auto run_ready = [&] {
    for (bool progress = true; progress;) {
      progress = false;
      for (auto& q : waiting)
        while (!q.empty() && book.for_epoch(q.front().epoch)) {
          score(q.front());
          q.pop_front();
          progress = true;
        }
    }
  };

  std::string line;
  while (std::getline(in, line) && (o.limit == 0 || n < o.limit)) {
    if (line.empty())
      continue;
    auto decoded = rtad::decode_transaction(line);
    auto* t = std::get_if<rtad::transaction>(&decoded);
    if (!t)
      throw std::runtime_error("line " + std::to_string(n + 1) + ": " +
                               std::get<rtad::decode_error>(decoded).reason);
    ++n;
    auto p = rtad::kafka_partition(t->user_id, static_cast<std::int32_t>(o.partitions));
    t->partition = p;
    t->offset = next_offset[p]++;
    auto [epoch, begins] = clocks[p].next(t->offset, t->timestamp);
    t->epoch = epoch;
    if (begins)
      population_model.enter(t->partition, epoch, t->offset);
    waiting[p].push_back(std::move(*t));
    run_ready();
  }
  // The end of every partition: none holds the others back any more.
  for (auto p : all)
    population_model.idle(p, next_offset[static_cast<std::size_t>(p)]);
  close_epochs();
  run_ready();
  if (out != stdout)
    std::fclose(out);
  if (detail)
    std::fclose(detail);
  auto s_elapsed =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
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
