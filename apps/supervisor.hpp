#pragma once
// Keeps a set of child processes running: restarts one that dies, with
// exponential backoff, gives up on one that keeps dying at once, and stops
// them all on request. What `rtad run` is made of.

#include "apps/child_process.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

namespace rtad::app {

/// One child to keep running.
struct child_spec {
  std::string name; ///< "producer", "node-1": how messages call it
  /// Its command line for the given start (0 the first, 1 the first restart, ...).
  std::function<std::vector<std::string>(int start)> command;
  std::string dir = ".";
  std::map<std::string, std::string> env; ///< added to the supervisor's environment
  std::string log_path;                   ///< its standard output and error
};

/// When to restart, when to give up, how to stop.
struct supervisor_options {
  std::chrono::milliseconds first_backoff{500};
  std::chrono::milliseconds max_backoff{30000};
  /// A child that ran this long was healthy: its failure count starts again.
  std::chrono::milliseconds stable_after{30000};
  /// Failures in a row, each sooner than stable_after, before giving up.
  int max_rapid_failures = 5;
  std::chrono::milliseconds grace{30000}; ///< between SIGTERM and SIGKILL when stopping
};

/// Runs children until asked to stop or one of them gives up.
class supervisor {
public:
  /// Messages (which child started, died and why, restarts) go to `out`.
  supervisor(std::vector<child_spec> children, supervisor_options o, std::ostream& out);
  ~supervisor();
  supervisor(const supervisor&) = delete;
  supervisor& operator=(const supervisor&) = delete;

  /// Starts every child and watches them. `wait_stop(d)` waits up to `d` and
  /// returns true once the children are to stop. Returns 0 when stopped on
  /// request or when every child ended with exit code 0 (never restarted:
  /// it finished its work), 1 after giving up on a child; stops every child
  /// before returning.
  int run(const std::function<bool(std::chrono::milliseconds)>& wait_stop);

  /// Running children's pids by name; safe from other threads.
  std::map<std::string, pid_t> pids() const;

  /// Backoff before restart number `failures` (1 the first): doubling from
  /// first_backoff, at most max_backoff.
  static std::chrono::milliseconds backoff(const supervisor_options& o, int failures);

private:
  struct slot {
    child_spec spec;
    std::unique_ptr<child_process> process;
    int starts = 0;
    int rapid_failures = 0;
    bool finished = false;
    bool start_failed = false;
    std::chrono::steady_clock::time_point started{};
    std::chrono::steady_clock::time_point restart_at{};
  };

  void start(slot& s);
  /// Handles `s` having ended; false when it is given up on.
  bool ended(slot& s);
  void stop_all();

  std::vector<slot> slots_;
  supervisor_options opts_;
  std::ostream& out_;
  mutable std::mutex mutex_; ///< guards the processes for pids()
};

} // namespace rtad::app
