#include "apps/supervisor.hpp"

#include <algorithm>
#include <csignal>
#include <iomanip>
#include <sstream>
#include <thread>

namespace rtad::app {

namespace {

constexpr std::chrono::milliseconds poll_interval{100};
constexpr std::chrono::milliseconds reap_interval{20};

std::string seconds_text(std::chrono::steady_clock::duration d) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << std::chrono::duration<double>(d).count() << " s";
  return os.str();
}

} // namespace

supervisor::supervisor(std::vector<child_spec> children, supervisor_options o, std::ostream& out)
    : opts_(o), out_(out) {
  for (auto& c : children)
    slots_.push_back({std::move(c), nullptr});
}

supervisor::~supervisor() {
  stop_all();
}

std::chrono::milliseconds supervisor::backoff(const supervisor_options& o, int failures) {
  auto d = o.first_backoff;
  for (int i = 1; i < failures && d < o.max_backoff; ++i)
    d *= 2;
  return std::min(d, o.max_backoff);
}

std::map<std::string, pid_t> supervisor::pids() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::map<std::string, pid_t> out;
  for (const auto& s : slots_)
    if (s.process)
      out[s.spec.name] = s.process->pid();
  return out;
}

void supervisor::start(slot& s) {
  auto now = std::chrono::steady_clock::now();
  s.started = now;
  try {
    auto p = std::make_unique<child_process>(s.spec.command(s.starts), s.spec.dir, s.spec.env,
                                             s.spec.log_path);
    std::lock_guard<std::mutex> lock(mutex_);
    s.process = std::move(p);
  } catch (const std::exception& e) {
    // Counts as a failure like a crash: a missing program must not spin.
    out_ << s.spec.name << " did not start: " << e.what() << "\n" << std::flush;
    s.start_failed = true;
    ++s.starts;
    return;
  }
  out_ << s.spec.name << (s.starts ? " restarted" : " started") << " (pid " << s.process->pid()
       << ", log " << s.spec.log_path << ")\n"
       << std::flush;
  ++s.starts;
}

bool supervisor::ended(slot& s) {
  auto now = std::chrono::steady_clock::now();
  auto ran = now - s.started;
  s.start_failed = false;
  pid_t pid = -1;
  std::string why = "did not start";
  int code = -1;
  if (s.process) {
    pid = s.process->pid();
    code = s.process->exit_code();
    why = s.process->exit_description();
    s.process->signal(SIGKILL); // what it left behind in its process group
    std::lock_guard<std::mutex> lock(mutex_);
    s.process.reset();
  }
  if (code == 0) {
    out_ << s.spec.name << " (pid " << pid << ") finished after " << seconds_text(ran)
         << " (exit code 0); not restarted\n"
         << std::flush;
    s.finished = true;
    return true;
  }
  if (ran >= opts_.stable_after)
    s.rapid_failures = 0;
  ++s.rapid_failures;
  if (s.rapid_failures >= opts_.max_rapid_failures) {
    out_ << s.spec.name << " (pid " << pid << ") died: " << why << " after " << seconds_text(ran)
         << "; giving up: " << s.rapid_failures << " failures in a row, each within "
         << seconds_text(opts_.stable_after) << " of its start (see " << s.spec.log_path << ")\n"
         << std::flush;
    return false;
  }
  auto wait = backoff(opts_, s.rapid_failures);
  s.restart_at = now + wait;
  out_ << s.spec.name << " (pid " << pid << ") died: " << why << " after " << seconds_text(ran)
       << "; restarting in " << seconds_text(wait) << " (failure " << s.rapid_failures << " of "
       << opts_.max_rapid_failures << ")\n"
       << std::flush;
  return true;
}

int supervisor::run(const std::function<bool(std::chrono::milliseconds)>& wait_stop) {
  for (auto& s : slots_)
    start(s);
  int rc = 0;
  for (;;) {
    if (wait_stop(poll_interval)) {
      out_ << "stopping " << pids().size() << " children\n" << std::flush;
      break;
    }
    bool gave_up = false;
    auto now = std::chrono::steady_clock::now();
    for (auto& s : slots_) {
      if (s.finished)
        continue;
      bool dead = s.process ? !s.process->running() : s.start_failed;
      if (dead && !ended(s)) {
        gave_up = true;
        break;
      }
      if (!s.process && !s.finished && s.restart_at <= now)
        start(s);
    }
    if (gave_up) {
      rc = 1;
      break;
    }
    if (std::all_of(slots_.begin(), slots_.end(), [](const slot& s) { return s.finished; })) {
      out_ << "every child finished\n" << std::flush;
      break;
    }
  }
  stop_all();
  return rc;
}

void supervisor::stop_all() {
  // All at once, so the grace period is shared, not summed.
  for (auto& s : slots_)
    if (s.process && s.process->running())
      s.process->signal(SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + opts_.grace;
  auto any_running = [&] {
    return std::any_of(slots_.begin(), slots_.end(),
                       [](slot& s) { return s.process && s.process->running(); });
  };
  while (any_running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(reap_interval);
  for (auto& s : slots_) {
    if (!s.process)
      continue;
    if (s.process->running())
      out_ << s.spec.name << " (pid " << s.process->pid() << ") did not stop within "
           << seconds_text(opts_.grace) << "; killing it\n"
           << std::flush;
    else if (s.process->exit_code() != 0)
      out_ << s.spec.name << " stopped: " << s.process->exit_description() << "\n" << std::flush;
    s.process->stop(std::chrono::seconds(0)); // SIGKILL to the group, reaped
    std::lock_guard<std::mutex> lock(mutex_);
    s.process.reset();
  }
}

} // namespace rtad::app
