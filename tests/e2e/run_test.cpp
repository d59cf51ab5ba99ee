#define BOOST_TEST_MODULE rtad run
// The supervisor with real children: a producer and two nodes on a topic and
// database of their own.
#include "support/node_fixture.hpp"
#include "support/process.hpp"

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace rtad;
using test::read_all;

namespace {

/// The pid the supervisor's log gives for the latest (re)start of `name`.
pid_t started_pid(const std::string& log, const std::string& name) {
  std::regex re(name + " (re)?started \\(pid ([0-9]+)");
  pid_t pid = 0;
  auto text = read_all(log);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it)
    pid = static_cast<pid_t>(std::stol((*it)[2]));
  return pid;
}

/// True while `pid` exists and is not a zombie.
bool alive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line))
    return false;
  return line.substr(line.rfind(')') + 2, 1) != "Z";
}

} // namespace

BOOST_AUTO_TEST_CASE(restarts_a_killed_node_and_stops_every_child_on_sigterm) {
  test::node_fixture fx("rtad_run_e2e");
  auto dir = std::filesystem::temp_directory_path() / ("rtad-run-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto log = (dir / "supervisor.log").string();
  auto args = test::node_args(fx.settings, "unused");
  args.resize(args.size() - 3); // not `node --name unused`
  args.insert(args.end(), {"run", "--nodes", "2", "--rate", "50", "--users", "40", "--log-dir",
                           dir.string(), "--backoff", "0.2", "--grace", "30"});
  test::child sup(args, log);

  std::set<pid_t> children;
  BOOST_REQUIRE(test::eventually(
    [&] {
      for (const char* name : {"producer", "node-1", "node-2"})
        if (!started_pid(log, name))
          return false;
      return true;
    },
    std::chrono::seconds(20)));
  for (const char* name : {"producer", "node-1", "node-2"})
    children.insert(started_pid(log, name));
  fx.wait_for("select count(*) from transactions", 50);
  fx.wait_for("select count(*) from node_status where node in ('node-1', 'node-2')", 2);

  auto victim = started_pid(log, "node-2");
  kill(victim, SIGKILL);
  BOOST_REQUIRE(test::eventually([&] { return started_pid(log, "node-2") != victim; },
                                 std::chrono::seconds(20)));
  auto text = read_all(log);
  BOOST_TEST(text.find("node-2 (pid " + std::to_string(victim) +
                       ") died: killed by signal 9 (SIGKILL)") != std::string::npos,
             text);
  BOOST_TEST(text.find("node-2 restarted (pid") != std::string::npos, text);
  auto reborn = started_pid(log, "node-2");
  BOOST_TEST(alive(reborn));
  children.insert(reborn);
  // The restarted node works: it reports itself again.
  auto stored = fx.count("select count(*) from transactions");
  fx.wait_for("select count(*) from transactions", stored + 50);

  sup.signal(SIGTERM);
  BOOST_TEST(sup.wait_exit(std::chrono::seconds(60)) == 0);
  text = read_all(log);
  BOOST_TEST(text.find("stopped on SIGTERM") != std::string::npos, text);
  for (auto pid : children)
    BOOST_TEST(!alive(pid), "pid " << pid << " left behind");
  // The nodes stopped cleanly, not killed: they said so in node_status.
  BOOST_TEST(fx.count("select count(*) from node_status where node in ('node-1', 'node-2')"
                      " and state = 'stopped'") == 2);
  std::filesystem::remove_all(dir);
}
