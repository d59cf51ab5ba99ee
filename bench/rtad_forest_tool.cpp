// Fits rtad's plain Isolation Forest (no domains, float splits) on a file of
// float32 rows, scores another, and prints timings as one JSON object; the
// scores can be written as float64. compare_sklearn.py drives it, so rtad is
// timed on exactly the data scikit-learn and isotree see.

#include "models/isolation_forest.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using rtad::models::forest_params;
using rtad::models::isolation_forest;
using rtad::models::matrix_view;

constexpr const char* usage =
  "usage: rtad_forest_tool --train FILE --dims D [--test FILE] [--trees T] [--psi P]\n"
  "                        [--seed S] [--repeat N] [--scores OUT]\n"
  "  FILE: raw little-endian float32, row-major, D values a row\n"
  "  --test   rows to score (default: the training rows)\n"
  "  --repeat timing rounds; the fastest is reported (default 5)\n"
  "  --scores write the anomaly scores of the test rows as float64\n";

struct options {
  std::string train, test, scores;
  std::size_t dims = 0;
  int trees = 100;
  int psi = 256;
  std::uint64_t seed = 42;
  int repeat = 5;
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << usage;
      std::exit(0);
    }
    if (i + 1 >= argc)
      throw std::invalid_argument(arg + " needs a value");
    std::string value = argv[++i];
    if (arg == "--train")
      o.train = value;
    else if (arg == "--test")
      o.test = value;
    else if (arg == "--scores")
      o.scores = value;
    else if (arg == "--dims")
      o.dims = std::stoul(value);
    else if (arg == "--trees")
      o.trees = std::stoi(value);
    else if (arg == "--psi")
      o.psi = std::stoi(value);
    else if (arg == "--seed")
      o.seed = std::stoull(value);
    else if (arg == "--repeat")
      o.repeat = std::max(1, std::stoi(value));
    else
      throw std::invalid_argument("unknown option " + arg);
  }
  if (o.train.empty() || o.dims == 0)
    throw std::invalid_argument("--train and --dims are required");
  if (o.test.empty())
    o.test = o.train;
  return o;
}

std::vector<float> read_rows(const std::string& path, std::size_t dims) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in)
    throw std::runtime_error("cannot open " + path);
  auto bytes = static_cast<std::size_t>(in.tellg());
  if (bytes % (dims * sizeof(float)) != 0)
    throw std::runtime_error(path + ": size " + std::to_string(bytes) +
                             " is not a whole number of rows of " + std::to_string(dims));
  std::vector<float> rows(bytes / sizeof(float));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(rows.data()), static_cast<std::streamsize>(bytes));
  return rows;
}

/// CPU time of this process: on a shared machine, time spent waiting for a
/// core is not rtad's (compare_sklearn.py measures the others the same way).
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

} // namespace

int main(int argc, char** argv) try {
  auto o = parse(argc, argv);
  auto train = read_rows(o.train, o.dims);
  auto test = read_rows(o.test, o.dims);
  matrix_view train_view{train.data(), train.size() / o.dims, o.dims};
  matrix_view test_view{test.data(), test.size() / o.dims, o.dims};
  forest_params params{o.trees, o.psi, o.seed, false};

  double fit_s = std::numeric_limits<double>::infinity();
  isolation_forest forest;
  for (int r = 0; r < o.repeat; ++r) {
    isolation_forest f(o.dims, params);
    auto start = cpu_seconds();
    f.fit(train_view);
    fit_s = std::min(fit_s, cpu_seconds() - start);
    forest = std::move(f);
  }

  std::vector<double> scores(test_view.rows);
  double batch_s = std::numeric_limits<double>::infinity();
  for (int r = 0; r < o.repeat; ++r) {
    auto start = cpu_seconds();
    forest.score_batch(test_view, scores.data());
    batch_s = std::min(batch_s, cpu_seconds() - start);
  }

  double one_s = std::numeric_limits<double>::infinity();
  double checksum = 0;
  for (int r = 0; r < o.repeat; ++r) {
    auto start = cpu_seconds();
    for (std::size_t i = 0; i < test_view.rows; ++i)
      checksum += forest.score(test_view.row(i));
    one_s = std::min(one_s, cpu_seconds() - start);
  }
  // Both paths must agree: the batch path is only a faster order of work.
  double max_diff = 0;
  for (std::size_t i = 0; i < test_view.rows; ++i)
    max_diff = std::max(max_diff, std::abs(scores[i] - forest.score(test_view.row(i))));

  if (!o.scores.empty()) {
    std::ofstream out(o.scores, std::ios::binary);
    out.write(reinterpret_cast<const char*>(scores.data()),
              static_cast<std::streamsize>(scores.size() * sizeof(double)));
    if (!out)
      throw std::runtime_error("cannot write " + o.scores);
  }

  auto rows = static_cast<double>(test_view.rows);
  std::printf("{\"train_rows\": %zu, \"test_rows\": %zu, \"dims\": %zu, \"trees\": %d, "
              "\"psi\": %zu, \"seed\": %llu, \"nodes\": %zu, \"fit_ms\": %.4f, "
              "\"batch_us_per_row\": %.4f, \"one_us_per_row\": %.4f, "
              "\"batch_vs_one_max_diff\": %.3g, \"checksum\": %.6f}\n",
              train_view.rows, test_view.rows, o.dims, o.trees, forest.effective_sample_size(),
              static_cast<unsigned long long>(o.seed), forest.node_count(), fit_s * 1e3,
              batch_s * 1e6 / rows, one_s * 1e6 / rows, max_diff, checksum / o.repeat);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "rtad_forest_tool: %s\n%s", e.what(), usage);
  return 2;
}
