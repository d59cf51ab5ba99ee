#define BOOST_TEST_MODULE rtad eval command line
#include "support/cli.hpp"

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <unistd.h>

using rtad::test::run_rtad;

namespace {

/// A produced stream and a CSV of verdicts flagging exactly its frauds.
struct files {
  std::string stream = "/tmp/rtad-eval-cli-" + std::to_string(::getpid()) + ".jsonl";
  std::string scores = "/tmp/rtad-eval-cli-" + std::to_string(::getpid()) + ".csv";
  files() {
    BOOST_REQUIRE(run_rtad("produce -n 3000 -u 100 --fraud 0.02 -q -o " + stream).status == 0);
    std::FILE* in = std::fopen(stream.c_str(), "r");
    std::FILE* out = std::fopen(scores.c_str(), "w");
    std::fputs("transaction_id,score,flagged\n", out);
    char line[4096];
    while (std::fgets(line, sizeof line, in)) {
      std::string s(line);
      const bool fraud = s.find("\"_anomalous\":true") != std::string::npos;
      const auto at = s.find("\"transaction_id\":\"") + 18;
      std::fprintf(out, "%s,%s\n", s.substr(at, 36).c_str(), fraud ? "0.9,1" : "0.1,0");
    }
    std::fclose(in);
    std::fclose(out);
  }
  ~files() {
    std::remove(stream.c_str());
    std::remove(scores.c_str());
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(a_perfect_detector_scores_one_everywhere) {
  files f;
  auto r = run_rtad("eval --truth " + f.stream + " --scores " + f.scores);
  BOOST_TEST(r.status == 0, r.output);
  BOOST_TEST(r.output.find("judged 3000 of 3000") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("1.000     1.000     1.000     1.000") != std::string::npos, r.output);
  r = run_rtad("eval --json --truth " + f.stream + " --scores " + f.scores);
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.output.find("\"pr_auc\": 1.0") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(bad_input_is_named_and_exits_non_zero) {
  files f;
  std::FILE* out = std::fopen(f.scores.c_str(), "a");
  std::fputs("t-x,not-a-number,1\n", out);
  std::fclose(out);
  auto r = run_rtad("eval --truth " + f.stream + " --scores " + f.scores);
  BOOST_TEST(r.status == 1);
  BOOST_TEST(r.output.find(f.scores + ":3002: score 'not-a-number'") != std::string::npos,
             r.output);
  r = run_rtad("eval --scores " + f.scores);
  BOOST_TEST(r.status == 2); // a usage error; a bad file above is a failure
  BOOST_TEST(r.output.find("--scores needs --truth") != std::string::npos, r.output);
}
