// Micro benchmarks of the detection core (issue 3, "Speed and size").
// Rows are counted as items, so items_per_second is rows per second and
// 1e6 / items_per_second is microseconds per row.

#include "models/explain.hpp"
#include "models/global_model.hpp"
#include "models/isolation_forest.hpp"
#include "models/population.hpp"
#include "models/serialize.hpp"
#include "models/user_model.hpp"
#include "txn_stream.hpp"

#include <benchmark/benchmark.h>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace rtad::models;
using rtad::bench::gaussian_rows;
using rtad::bench::owned_txn;
using rtad::bench::user_stream;

constexpr std::size_t gaussian_dims = 8;
constexpr std::size_t train_rows = 8192;
constexpr std::size_t test_rows = 4096;
constexpr std::uint64_t train_seed = 1;
constexpr std::uint64_t test_seed = 2;
constexpr std::uint64_t forest_seed = 42;

/// Transactions a user model sees before it is measured: a full window and
/// then some, so the forest is trained and has turned over at least once.
constexpr std::size_t warm_transactions = 512;
/// Transactions replayed per measured round of the per-user benchmarks.
constexpr std::size_t replay_transactions = 4096;

const std::vector<float>& train_data() {
  static const auto data = gaussian_rows(train_rows, gaussian_dims, train_seed);
  return data;
}

const std::vector<float>& test_data() {
  static const auto data = gaussian_rows(test_rows, gaussian_dims, test_seed);
  return data;
}

matrix_view view_of(const std::vector<float>& v, std::size_t dims) {
  return {v.data(), v.size() / dims, dims};
}

/// The plain algorithm (no domains, float splits) on Gaussian data.
isolation_forest gaussian_forest(int trees, int psi) {
  isolation_forest f(gaussian_dims, {trees, psi, forest_seed, false});
  f.fit(view_of(train_data(), gaussian_dims));
  return f;
}

/// The population forest over user-relative features and the reference that
/// calibrates scores, as the node keeps them: 100 trees x 256 from 60 users of
/// very different spending levels.
struct population_models {
  std::shared_ptr<const isolation_forest> forest;
  std::shared_ptr<const population_reference> reference;
};

const population_models& population() {
  static const population_models models = [] {
    global_model g(user_feature_count, {100, 256, 7, true}, 8192, 512, user_feature_domains());
    population_window w;
    for (unsigned u = 0; u < 60; ++u) {
      user_stream s(1000 + u, 5.0 * (1 + u * u), u % 5 == 0 ? "DE" : "US");
      user_history h;
      for (int i = 0; i < 120; ++i) {
        auto t = s.next();
        auto x = h.features(t.view());
        g.observe(x.data());
        w.observe(x.data(), x.size(), t.category);
        h.observe(t.view());
        h.admit(t.view());
      }
    }
    return population_models{g.snapshot(), population_reference::build(g, w)};
  }();
  return models;
}

/// What user_model::record was given for one transaction of a real run.
struct recorded_txn {
  owned_txn t;
  user_features x;
  verdict v;
  std::string id;
};

/// One user with the default settings (50 trees x psi 64, window 256,
/// refit every 32), run through warm_transactions + replay_transactions of
/// its stream with the population forest. `warm` is the model after the
/// first warm_transactions; `replay` holds the exact inputs record() got
/// afterwards, so replaying them into a copy of `warm` repeats the run.
struct user_run {
  user_model warm;
  std::vector<recorded_txn> replay;
  std::size_t flagged = 0;
};

const user_run& default_user() {
  static const user_run run = [] {
    user_run r;
    const auto& global = population();
    user_model m;
    user_stream s(7, 40);
    for (std::size_t i = 0; i < warm_transactions + replay_transactions; ++i) {
      auto t = s.next();
      auto x = m.features(t.view());
      auto v = m.assess(x, global.forest.get(), global.reference.get());
      auto id = "tx-" + std::to_string(i);
      if (i >= warm_transactions) {
        r.replay.push_back({t, x, v, id});
        r.flagged += v.anomalous;
      }
      m.record(t.view(), x, v, id);
      if (i + 1 == warm_transactions)
        r.warm = m;
    }
    return r;
  }();
  return run;
}

// --- plain Isolation Forest, Gaussian d = 8 -------------------------------

/// isolation_forest::score_batch over 4,096 rows; items are rows.
void BM_score_batch(benchmark::State& state) {
  auto f = gaussian_forest(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  auto data = view_of(test_data(), gaussian_dims);
  std::vector<double> out(data.rows);
  for (auto _ : state) {
    f.score_batch(data, out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * data.rows));
}
// Arguments: trees, psi.
BENCHMARK(BM_score_batch)->Args({100, 256})->Args({50, 64});

/// isolation_forest::score, one row per call, cycling through the rows.
void BM_score_one(benchmark::State& state) {
  auto f = gaussian_forest(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  auto data = view_of(test_data(), gaussian_dims);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.score(data.row(i)));
    i = i + 1 == data.rows ? 0 : i + 1;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
// Arguments: trees, psi.
BENCHMARK(BM_score_one)->Args({100, 256})->Args({50, 64});

/// Fits every tree; items are the sub-sampled rows (trees x psi).
void BM_fit(benchmark::State& state) {
  auto trees = static_cast<int>(state.range(0));
  auto psi = static_cast<int>(state.range(1));
  auto rows = static_cast<std::size_t>(state.range(2));
  auto data = matrix_view{train_data().data(), rows, gaussian_dims};
  isolation_forest f(gaussian_dims, {trees, psi, forest_seed, false});
  for (auto _ : state) {
    f.fit(data);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * trees * psi);
  state.counters["nodes"] = static_cast<double>(f.node_count());
}
// Arguments: trees, psi, rows the sub-samples are drawn from.
BENCHMARK(BM_fit)
  ->Args({100, 256, 8192})
  ->Args({100, 256, 256})
  ->Args({50, 64, 256})
  ->Unit(benchmark::kMicrosecond);

/// The population forest learning from every row: the ring buffer, a refit
/// of the oldest 100 * 512 / 8192 = 7 trees every 512 rows, and a new
/// immutable snapshot for the scorers after each refit; amortised per row.
void BM_global_observe(benchmark::State& state) {
  constexpr std::size_t window = 8192;
  constexpr std::size_t refit_every = 512;
  const auto& run = default_user();
  global_model g(user_feature_count, {100, 256, 7, true}, window, refit_every,
                 user_feature_domains());
  std::size_t i = 0;
  for (std::size_t k = 0; k < window; ++k, i = (i + 1) % run.replay.size())
    g.observe(run.replay[i].x.data());
  for (auto _ : state) {
    benchmark::DoNotOptimize(g.observe(run.replay[i].x.data()));
    i = i + 1 == run.replay.size() ? 0 : i + 1;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_global_observe);

// --- the default per-user model (50 trees x psi 64, user features) --------

/// Rebuilds all 50 trees from the full window of 256 normal transactions.
void BM_user_fit(benchmark::State& state) {
  auto m = default_user().warm;
  for (auto _ : state) {
    m.retrain();
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * m.training_rows()));
  auto bytes = model_codec::save(m);
  state.counters["state_bytes"] = static_cast<double>(bytes.size());
  state.counters["forest_bytes"] = static_cast<double>(model_codec::save(m.forest()).size());
  state.counters["heap_bytes"] = static_cast<double>(m.memory_bytes());
  state.counters["window_rows"] = static_cast<double>(m.training_rows());
}
BENCHMARK(BM_user_fit)->Unit(benchmark::kMicrosecond);

/// The user's own forest on one row of its user-relative features.
void BM_user_score_one(benchmark::State& state) {
  const auto& run = default_user();
  const auto& f = run.warm.forest();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.score(run.replay[i].x.data()));
    i = i + 1 == run.replay.size() ? 0 : i + 1;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["state_bytes"] = static_cast<double>(model_codec::save(run.warm).size());
}
BENCHMARK(BM_user_score_one);

/// A whole verdict: user forest + population forest (100 x 256), blended,
/// thresholded.
void BM_user_assess(benchmark::State& state) {
  const auto& run = default_user();
  const auto& global = population();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
      run.warm.assess(run.replay[i].x, global.forest.get(), global.reference.get()));
    i = i + 1 == run.replay.size() ? 0 : i + 1;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_user_assess);

/// user_model::record, amortised over the stream: history, quantile, window
/// and the partial refit of 50 * 32 / 256 = 7 trees every 32 normal rows.
void BM_user_update(benchmark::State& state) {
  const auto& run = default_user();
  auto m = run.warm;
  std::size_t i = 0;
  std::uint64_t refits = 0;
  for (auto _ : state) {
    const auto& r = run.replay[i];
    benchmark::DoNotOptimize(m.record(r.t.view(), r.x, r.v, r.id));
    if (++i == run.replay.size()) {
      state.PauseTiming(); // once per 4096 rows: negligible
      refits += m.version() - run.warm.version();
      m = run.warm;
      i = 0;
      state.ResumeTiming();
    }
  }
  refits += m.version() - run.warm.version();
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["refits_per_txn"] =
    static_cast<double>(refits) / static_cast<double>(state.iterations());
  state.counters["flagged_share"] =
    static_cast<double>(run.flagged) / static_cast<double>(run.replay.size());
}
BENCHMARK(BM_user_update);

/// The whole per-transaction path of a profile: features, verdict, record.
void BM_user_step(benchmark::State& state) {
  const auto& run = default_user();
  const auto& global = population();
  auto m = run.warm;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& r = run.replay[i];
    auto x = m.features(r.t.view());
    auto v = m.assess(x, global.forest.get(), global.reference.get());
    benchmark::DoNotOptimize(m.record(r.t.view(), x, v, r.id));
    if (++i == run.replay.size()) {
      state.PauseTiming();
      m = run.warm;
      i = 0;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_user_step);

/// The explanation of a flagged transaction: path attribution in the user's
/// forest and the population forest (100 x 256), blended, described.
void BM_explain(benchmark::State& state) {
  const auto& run = default_user();
  const auto& global = population();
  std::vector<const recorded_txn*> flagged;
  for (const auto& r : run.replay)
    if (r.v.anomalous)
      flagged.push_back(&r);
  if (flagged.empty()) {
    state.SkipWithError("no flagged transaction in the replay");
    return;
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& r = *flagged[i];
    benchmark::DoNotOptimize(explain(run.warm, global.forest.get(), r.t.view(), r.x, r.v));
    i = i + 1 == flagged.size() ? 0 : i + 1;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_explain)->Unit(benchmark::kMicrosecond);

/// User-relative features of one transaction against a full window (the
/// amount statistics are cached, as between two admitted transactions).
void BM_features(benchmark::State& state) {
  const auto& run = default_user();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(run.warm.features(run.replay[i].t.view()));
    i = i + 1 == run.replay.size() ? 0 : i + 1;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_features);

/// Checkpoint of a whole user model (window, statistics, forest, threshold).
void BM_user_save(benchmark::State& state) {
  const auto& m = default_user().warm;
  std::size_t size = 0;
  for (auto _ : state) {
    auto bytes = model_codec::save(m);
    size = bytes.size();
    benchmark::DoNotOptimize(bytes.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["state_bytes"] = static_cast<double>(size);
}
BENCHMARK(BM_user_save)->Unit(benchmark::kMicrosecond);

/// Restoring the same checkpoint, CRC and validation included.
void BM_user_load(benchmark::State& state) {
  auto bytes = model_codec::save(default_user().warm);
  for (auto _ : state)
    benchmark::DoNotOptimize(model_codec::load_user_model(bytes.data(), bytes.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["state_bytes"] = static_cast<double>(bytes.size());
}
BENCHMARK(BM_user_load)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
