#pragma once
// SIGINT/SIGTERM handled synchronously: blocked in every thread (call before
// any thread starts) and awaited by the main thread, so no handler runs in
// an arbitrary thread at an arbitrary moment.

#include <chrono>
#include <csignal>

namespace rtad::app {

/// Blocks SIGINT and SIGTERM for this thread and every thread it starts.
inline void block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

/// Waits up to `timeout` for SIGINT or SIGTERM; returns the signal or 0.
inline int wait_stop_signal(std::chrono::milliseconds timeout) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  timespec ts{static_cast<time_t>(timeout.count() / 1000),
              static_cast<long>((timeout.count() % 1000) * 1000000)};
  int sig = sigtimedwait(&set, nullptr, &ts);
  return sig > 0 ? sig : 0;
}

} // namespace rtad::app
