#pragma once
// A child process the supervisor-like commands start and stop by pid.

#include <chrono>
#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace rtad::app {

/// Started with posix_spawn in a process group of its own, so a terminal's
/// Ctrl-C reaches only its parent, which stops it in order, and so stopping
/// it also stops what it started (npm's and node's children). On
/// destruction asked to stop (SIGTERM), then killed if it does not within
/// the grace period.
class child_process {
public:
  /// Runs `argv` in `dir` with `env` added to this process's environment;
  /// output goes to `log_path`. Throws std::runtime_error if it cannot start.
  child_process(const std::vector<std::string>& argv, const std::string& dir,
                const std::map<std::string, std::string>& env, const std::string& log_path);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  bool running();
  /// Sends `sig` to the child's process group (also after the child itself
  /// ended: what it left behind).
  void signal(int sig);
  /// SIGTERM, then SIGKILL after `grace`; returns the exit status (or -signal).
  int stop(std::chrono::seconds grace = std::chrono::seconds(10));
  /// Once ended: the exit code, or -signal.
  int exit_code() const;
  /// Once ended: "exit code 3" or "killed by signal 9 (SIGKILL)".
  std::string exit_description() const;
  pid_t pid() const { return pid_; }

private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

/// "exit code 3", "killed by signal 9 (SIGKILL)" for a waitpid status.
std::string describe_wait_status(int status);

} // namespace rtad::app
