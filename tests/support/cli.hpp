#pragma once
// Runs an `rtad` command line to completion, for tests of the command line.
// Needs RTAD_BINARY (the tests' CMakeLists define it).

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace rtad::test {

/// Output (stdout and stderr) and exit status of an `rtad` command line.
struct cli_result {
  std::string output;
  int status;
};

inline cli_result run_rtad(const std::string& args) {
  FILE* p = ::popen((std::string(RTAD_BINARY) + " " + args + " 2>&1").c_str(), "r");
  BOOST_REQUIRE(p);
  cli_result r;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p))
    r.output += buf;
  r.status = WEXITSTATUS(::pclose(p));
  return r;
}

} // namespace rtad::test
