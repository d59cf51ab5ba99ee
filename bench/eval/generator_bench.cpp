// Speed of `rtad produce` to a file: the generator alone, with the fast
// wire-format writer, with encode_transaction for comparison, and the whole
// loop into a JSONL file. The target is >= 200,000 messages/s to a file.
#include "generator/json_writer.hpp"
#include "generator/produce.hpp"
#include "generator/sources.hpp"
#include "generator/stream.hpp"
#include "messages/codec.hpp"

#include <benchmark/benchmark.h>

namespace {

constexpr std::size_t bench_users = 10000; ///< the issue's benchmark population

rtad::gen::stream_params params() {
  rtad::gen::stream_params p;
  p.users = bench_users;
  return p;
}

void generate_only(benchmark::State& state) {
  rtad::gen::transaction_stream s(params());
  for (auto _ : state)
    benchmark::DoNotOptimize(s.next().amount);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(generate_only);

void generate_and_write_json(benchmark::State& state) {
  rtad::gen::transaction_stream s(params());
  std::string out;
  for (auto _ : state) {
    out.clear();
    rtad::gen::append_json(out, s.next());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(generate_and_write_json);

void generate_and_encode_transaction(benchmark::State& state) {
  rtad::gen::transaction_stream s(params());
  for (auto _ : state)
    benchmark::DoNotOptimize(rtad::encode_transaction(s.next()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(generate_and_encode_transaction);

// The whole `rtad produce --out` loop, one million messages into a file.
void produce_to_file(benchmark::State& state) {
  constexpr std::uint64_t messages = 1'000'000;
  const std::atomic<bool> never{false};
  for (auto _ : state) {
    rtad::gen::generated_source src(params());
    rtad::gen::file_sink sink("/tmp/rtad-generator-bench.jsonl");
    auto r = rtad::gen::produce(src, sink, {messages, std::nullopt, 0}, {}, never);
    benchmark::DoNotOptimize(r.delivery.written);
  }
  std::remove("/tmp/rtad-generator-bench.jsonl");
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(messages));
}
BENCHMARK(produce_to_file)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
