#define BOOST_TEST_MODULE the rtad command line
// What scripts and service managers rely on: --version, and exit codes that
// tell a usage error (2) from a failure (1).
#include "support/cli.hpp"

BOOST_AUTO_TEST_CASE(version_names_the_release_and_succeeds) {
  for (const char* flag : {"--version", "-V"}) {
    auto r = rtad::test::run_rtad(flag);
    BOOST_TEST(r.status == 0, r.output);
    BOOST_TEST(r.output == std::string("rtad ") + RTAD_VERSION + "\n");
  }
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2_and_say_what_is_wrong) {
  // The parser's refusals, a bad setting, and what a command itself finds
  // wrong with its arguments (these exited 1, as a failure, before).
  for (const char* args :
       {"", "no-such-command", "produce --no-such-flag", "produce -n lots",
        "--set model.window=-1 config show", "--set nokey config show", "produce",
        "produce -n 1 --rate -5", "produce -n 1 --start yesterday",
        "produce -n 1 --fraction nosuchtype=0.1", "eval --episode-gap 0", "run --nodes -1"}) {
    auto r = rtad::test::run_rtad(args);
    BOOST_TEST(r.status == 2, "'" << args << "': " << r.status << " " << r.output);
    BOOST_TEST(!r.output.empty(), args);
  }
  auto help = rtad::test::run_rtad("--help");
  BOOST_TEST(help.status == 0);
  BOOST_TEST(help.output.find("Subcommands") != std::string::npos, help.output);
}

// librdkafka's own lines come through rtad's logger, in its format: a JSON
// log stays one JSON object per line (librdkafka printed "%3|..." to stderr).
BOOST_AUTO_TEST_CASE(librdkafka_lines_come_out_in_rtad_s_log_format) {
  auto r = rtad::test::run_rtad("--set log.format=json --set kafka.bootstrap=127.0.0.1:1"
                                " produce -n 1 --kafka-property message.timeout.ms=1500");
  BOOST_TEST(r.status == 1, r.output); // nothing was delivered
  BOOST_TEST(r.output.find("\"component\":\"librdkafka\"") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("%3|") == std::string::npos, r.output);
}
