#pragma once
// A child process the supervisor-like commands start and stop by pid.

#include <chrono>
#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace rtad::app {

/// Started with posix_spawn; on destruction asked to stop (SIGTERM), then
/// killed if it does not within the grace period.
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
  /// SIGTERM, then SIGKILL after `grace`; returns the exit status (or -signal).
  int stop(std::chrono::seconds grace = std::chrono::seconds(10));
  pid_t pid() const { return pid_; }

private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

} // namespace rtad::app
