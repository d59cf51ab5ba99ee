#define BOOST_TEST_MODULE supervisor
#include "apps/supervisor.hpp"

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

using namespace rtad::app;
using namespace std::chrono_literals;

namespace {

/// A child spec of `sh -c script`, logging to a temp file.
child_spec shell(const std::string& name, const std::string& script) {
  child_spec c;
  c.name = name;
  c.command = [script](int) { return std::vector<std::string>{"/bin/sh", "-c", script}; };
  c.log_path = (std::filesystem::temp_directory_path() /
                ("rtad-supervisor-test-" + std::to_string(getpid()) + "-" + name + ".log"))
                 .string();
  return c;
}

/// True while `pid` exists (a zombie counts as gone: it was reaped or will be).
bool alive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line))
    return false;
  auto state = line.substr(line.rfind(')') + 2, 1);
  return state != "Z";
}

/// Every process in process group `pgid`.
std::vector<pid_t> group_members(pid_t pgid) {
  std::vector<pid_t> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    auto name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    auto pid = static_cast<pid_t>(std::stol(name));
    if (getpgid(pid) == pgid && alive(pid))
      out.push_back(pid);
  }
  return out;
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

/// A supervisor on its own thread, stopped by `stop`.
struct running_supervisor {
  std::ostringstream out;
  std::atomic<bool> stop{false};
  std::atomic<int> rc{-1000};
  supervisor sup;
  std::thread thread;

  running_supervisor(std::vector<child_spec> children, supervisor_options o)
      : sup(std::move(children), o, out) {
    thread = std::thread([this] {
      rc = sup.run([this](std::chrono::milliseconds d) {
        std::this_thread::sleep_for(d);
        return stop.load();
      });
    });
  }
  ~running_supervisor() { finish(); }
  int finish() {
    stop = true;
    if (thread.joinable())
      thread.join();
    return rc;
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(backoff_doubles_up_to_its_cap) {
  supervisor_options o;
  o.first_backoff = 500ms;
  o.max_backoff = 3000ms;
  BOOST_TEST(supervisor::backoff(o, 1).count() == 500);
  BOOST_TEST(supervisor::backoff(o, 2).count() == 1000);
  BOOST_TEST(supervisor::backoff(o, 3).count() == 2000);
  BOOST_TEST(supervisor::backoff(o, 4).count() == 3000);
  BOOST_TEST(supervisor::backoff(o, 40).count() == 3000);
}

BOOST_AUTO_TEST_CASE(a_child_killed_with_sigkill_is_restarted_and_stop_leaves_nothing_behind) {
  supervisor_options o;
  o.first_backoff = 50ms;
  o.grace = 5s;
  // The worker starts a grandchild, as npm and the dashboard do.
  running_supervisor r({shell("worker", "sleep 600 & wait"), shell("other", "exec sleep 600")}, o);
  BOOST_REQUIRE(eventually([&] { return r.sup.pids().size() == 2; }, 5s));
  auto first = r.sup.pids()["worker"];
  auto other = r.sup.pids()["other"];
  BOOST_REQUIRE(eventually([&] { return group_members(first).size() == 2; }, 5s));
  auto grandchildren = group_members(first);
  kill(first, SIGKILL);
  BOOST_REQUIRE(eventually(
    [&] { return r.sup.pids().count("worker") && r.sup.pids()["worker"] != first; }, 5s));
  auto second = r.sup.pids()["worker"];
  BOOST_TEST(r.out.str().find("worker (pid " + std::to_string(first) +
                              ") died: killed by signal 9 (SIGKILL)") != std::string::npos,
             r.out.str());
  BOOST_TEST(r.out.str().find("restarting in 0.1 s") != std::string::npos, r.out.str());
  // What the killed child left behind in its group went with it.
  for (auto pid : grandchildren)
    BOOST_TEST(eventually([&] { return !alive(pid); }, 5s), "pid " << pid << " left behind");
  BOOST_TEST(r.sup.pids()["other"] == other); // the others are left alone

  BOOST_REQUIRE(eventually([&] { return group_members(second).size() == 2; }, 5s));
  auto second_group = group_members(second);
  BOOST_TEST(r.finish() == 0);
  BOOST_TEST(r.sup.pids().empty());
  for (auto pid : second_group)
    BOOST_TEST(!alive(pid), "pid " << pid << " left behind");
  BOOST_TEST(!alive(other));
}

BOOST_AUTO_TEST_CASE(a_child_that_ignores_sigterm_is_killed_after_the_grace_period) {
  supervisor_options o;
  o.grace = 1s;
  running_supervisor r({shell("stubborn", "trap '' TERM; sleep 600 & wait; sleep 600")}, o);
  BOOST_REQUIRE(eventually([&] { return r.sup.pids().size() == 1; }, 5s));
  auto pid = r.sup.pids()["stubborn"];
  BOOST_REQUIRE(eventually([&] { return group_members(pid).size() == 2; }, 5s));
  auto group = group_members(pid);
  auto started = std::chrono::steady_clock::now();
  BOOST_TEST(r.finish() == 0);
  auto took = std::chrono::steady_clock::now() - started;
  BOOST_TEST((took >= 1s));
  BOOST_TEST((took < 5s));
  BOOST_TEST(r.out.str().find("did not stop within 1.0 s; killing it") != std::string::npos,
             r.out.str());
  for (auto p : group)
    BOOST_TEST(!alive(p), "pid " << p << " left behind");
}

BOOST_AUTO_TEST_CASE(a_child_that_keeps_failing_at_once_is_given_up_with_a_clear_message) {
  supervisor_options o;
  o.first_backoff = 10ms;
  o.max_backoff = 40ms;
  o.max_rapid_failures = 4;
  running_supervisor r({shell("broken", "exit 3"), shell("fine", "exec sleep 600")}, o);
  BOOST_REQUIRE(eventually([&] { return r.rc != -1000; }, 10s));
  BOOST_TEST(r.rc == 1);
  auto text = r.out.str();
  BOOST_TEST(text.find("broken (pid") != std::string::npos, text);
  BOOST_TEST(text.find("died: exit code 3") != std::string::npos, text);
  BOOST_TEST(text.find("restarting in 0.0 s (failure 1 of 4)") != std::string::npos, text);
  BOOST_TEST(text.find("giving up: 4 failures in a row") != std::string::npos, text);
  BOOST_TEST(r.sup.pids().empty()); // the healthy one was stopped too
}

BOOST_AUTO_TEST_CASE(a_child_that_finishes_with_exit_code_0_is_not_restarted) {
  supervisor_options o;
  o.first_backoff = 10ms;
  running_supervisor r({shell("batch", "exit 0")}, o);
  BOOST_REQUIRE(eventually([&] { return r.rc != -1000; }, 10s));
  BOOST_TEST(r.rc == 0);
  BOOST_TEST(r.out.str().find("batch (pid") != std::string::npos);
  BOOST_TEST(r.out.str().find("finished after") != std::string::npos, r.out.str());
  BOOST_TEST(r.out.str().find("batch restarted") == std::string::npos, r.out.str());
}

BOOST_AUTO_TEST_CASE(a_child_that_cannot_start_counts_as_a_failure) {
  supervisor_options o;
  o.first_backoff = 10ms;
  o.max_rapid_failures = 2;
  auto c = shell("unlogged", "exit 0");
  c.log_path = "/nonexistent-dir-of-rtad-test/unlogged.log"; // posix_spawn fails
  running_supervisor r({c}, o);
  BOOST_REQUIRE(eventually([&] { return r.rc != -1000; }, 10s));
  BOOST_TEST(r.rc == 1);
  BOOST_TEST(r.out.str().find("unlogged did not start: cannot start /bin/sh") != std::string::npos,
             r.out.str());
  BOOST_TEST(r.out.str().find("giving up") != std::string::npos, r.out.str());
}
