#include "apps/child_process.hpp"

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>

extern char** environ;

namespace rtad::app {

child_process::child_process(const std::vector<std::string>& argv, const std::string& dir,
                             const std::map<std::string, std::string>& env,
                             const std::string& log_path) {
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (!env.count(kv.substr(0, kv.find('='))))
      envs.push_back(kv);
  }
  for (const auto& [k, v] : env)
    envs.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv)
    cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : envs)
    cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  // The child must not inherit the signals this process keeps blocked.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
  std::string cmd = "cd '" + dir + "' && exec \"$0\" \"$@\"";
  std::vector<char*> shell{const_cast<char*>("/bin/sh"), const_cast<char*>("-c"),
                           const_cast<char*>(cmd.c_str())};
  shell.insert(shell.end(), cargv.begin(), cargv.end());
  int rc = posix_spawn(&pid_, "/bin/sh", &actions, &attr, shell.data(), cenv.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    throw std::runtime_error("cannot start " + argv.front() + ": " + std::strerror(rc));
}

child_process::~child_process() {
  if (running())
    stop();
}

bool child_process::running() {
  if (exited_)
    return false;
  if (waitpid(pid_, &status_, WNOHANG) == pid_)
    exited_ = true;
  return !exited_;
}

void child_process::signal(int sig) {
  // The group outlives its leader while anything it started still runs, and
  // its id is not reused before then.
  if (::kill(-pid_, sig) != 0 && !exited_)
    ::kill(pid_, sig);
}

int child_process::stop(std::chrono::seconds grace) {
  if (running()) {
    signal(SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + grace;
    while (running() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (running()) {
      signal(SIGKILL);
      while (running())
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  signal(SIGKILL); // whatever the child left behind in its group
  return exit_code();
}

int child_process::exit_code() const {
  if (WIFEXITED(status_))
    return WEXITSTATUS(status_);
  return WIFSIGNALED(status_) ? -WTERMSIG(status_) : -1;
}

std::string child_process::exit_description() const {
  return describe_wait_status(status_);
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status))
    return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    return "killed by signal " + std::to_string(sig) +
           (abbrev ? std::string(" (SIG") + abbrev + ")" : std::string());
  }
  return "ended with wait status " + std::to_string(status);
}

} // namespace rtad::app
