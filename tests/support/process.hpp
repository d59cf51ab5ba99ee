#pragma once
// Runs the rtad binary as a child process, for tests that kill it.

#include "config/settings.hpp"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace rtad::test {

/// The whole of a file (a child's log); empty when it cannot be read.
inline std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A child process; killed with SIGKILL if still running when destroyed.
class child {
public:
  /// Starts `args` (args[0] is the program) with output appended to `log_path`.
  child(const std::vector<std::string>& args, const std::string& log_path) {
    pid_ = fork();
    BOOST_REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      std::vector<char*> argv;
      for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~child() {
    if (running()) {
      kill(pid_, SIGKILL);
      wait_exit(std::chrono::seconds(10));
    }
  }
  child(const child&) = delete;
  child& operator=(const child&) = delete;

  pid_t pid() const { return pid_; }

  bool running() {
    if (exited_)
      return false;
    int status = 0;
    auto r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      status_ = status;
    }
    return !exited_;
  }

  void signal(int sig) { kill(pid_, sig); }

  /// Waits for the exit; returns the exit code, or -signal, or -1000 on timeout.
  int wait_exit(std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
      if (std::chrono::steady_clock::now() > deadline)
        return -1000;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (WIFEXITED(status_))
      return WEXITSTATUS(status_);
    return WIFSIGNALED(status_) ? -WTERMSIG(status_) : -1;
  }

  /// Resident memory in KiB (0 when gone).
  long rss_kib() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string key;
    while (in >> key) {
      if (key == "VmRSS:") {
        long kib = 0;
        in >> kib;
        return kib;
      }
      std::string rest;
      std::getline(in, rest);
    }
    return 0;
  }

private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

/// How many times `needle` occurs in the file at `path`.
inline int occurrences(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line))
    n += line.find(needle) != std::string::npos;
  return n;
}

/// `--set` arguments that publish a node's admin actor on `port`, guarded by `secret`.
inline std::vector<std::string> admin_args(const std::string& port,
                                           const std::string& secret = "s3cret") {
  return {"--set", "node.admin_port=" + port, "--set", "node.admin_secret=" + secret};
}

/// Arguments of `rtad node` for a fixture's settings.
inline std::vector<std::string> node_args(const config::settings& s, const std::string& name,
                                          std::vector<std::string> extra = {}) {
  std::vector<std::string> a{RTAD_BINARY,
                             "--set",
                             "pg.url=" + s.pg.url,
                             "--set",
                             "kafka.bootstrap=" + s.kafka.bootstrap,
                             "--set",
                             "kafka.topic=" + s.kafka.topic,
                             "--set",
                             "kafka.group=" + s.kafka.group,
                             "--set",
                             "kafka.input_key=" + config::get(s, "kafka.input_key"),
                             "--set",
                             "sink.flush_interval_ms=50",
                             "--set",
                             "sink.retention_days=" + std::to_string(s.sink.retention_days),
                             "--set",
                             "kafka.session_timeout_ms=6000", // the broker's minimum
                             "--set",
                             "node.admin_port=0",
                             "--set",
                             "node.metrics_port=0"};
  a.insert(a.end(), extra.begin(), extra.end());
  a.push_back("node");
  a.push_back("--name");
  a.push_back(name);
  return a;
}

} // namespace rtad::test
