#define BOOST_TEST_MODULE rtad produce command line
#include "messages/codec.hpp"
#include "support/cli.hpp"

#include <boost/test/unit_test.hpp>
#include <unistd.h>

using rtad::test::run_rtad;

BOOST_AUTO_TEST_CASE(the_same_options_print_the_same_stream) {
  const auto a = run_rtad("produce --count 300 --users 20 --seed 4 --start 2026-01-01 --out - -q");
  BOOST_TEST(a.status == 0);
  BOOST_TEST(a.output ==
             run_rtad("produce -n 300 -u 20 --seed 4 --start 1767225600 -o - -q").output);
  const auto first = a.output.substr(0, a.output.find('\n'));
  BOOST_TEST(std::holds_alternative<rtad::transaction>(rtad::decode_transaction(first)), first);
}

BOOST_AUTO_TEST_CASE(bad_options_are_named_and_exit_non_zero) {
  auto r = run_rtad("produce -n 5 -o - --fraction card_testing=lots");
  BOOST_TEST(r.status == 2); // a usage error
  BOOST_TEST(r.output.find("--fraction 'card_testing=lots'") != std::string::npos, r.output);
  r = run_rtad("produce -o -");
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.output.find("give --count, --duration or --days") != std::string::npos, r.output);
  r = run_rtad("produce -n 5 -o - --time-scale -2");
  BOOST_TEST(r.status == 1);
  BOOST_TEST(r.output.find("time scale") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(a_bad_replay_line_is_named_and_exits_non_zero) {
  const std::string path = "/tmp/rtad-cli-test-" + std::to_string(::getpid()) + ".jsonl";
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("{\"user_id\": 1}\n", f);
  std::fclose(f);
  const auto r = run_rtad("produce --replay " + path + " -o /dev/null");
  std::remove(path.c_str());
  BOOST_TEST(r.status == 1);
  BOOST_TEST(r.output.find(path + ":1: missing field") != std::string::npos, r.output);
}
