#include "apps/dashboard.hpp"

#include "apps/child_process.hpp"

#include <filesystem>
#include <iostream>
#include <thread>

namespace rtad::app {

std::map<std::string, std::string> dashboard_env(const std::string& pg_url, int port) {
  return {{"RTAD_PG_URL", pg_url}, {"RTAD_DASHBOARD_PORT", std::to_string(port)}};
}

std::string prepare_dashboard(const std::string& frontend, const std::string& pg_url, int port,
                              const std::string& log_path) {
  namespace fs = std::filesystem;
  if (!fs::exists(fs::path(frontend) / "node_modules"))
    return frontend + "/node_modules is missing (run scripts/setup)";
  if (fs::exists(fs::path(frontend) / ".next" / "BUILD_ID"))
    return {};
  std::cerr << "  building the dashboard (first run only, about a minute; log " << log_path
            << ")\n";
  child_process build({"npm", "run", "build"}, frontend, dashboard_env(pg_url, port), log_path);
  while (build.running())
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  if (build.stop() != 0)
    return "its build failed; see " + log_path;
  return {};
}

std::vector<std::string> dashboard_command() {
  return {"node", "scripts/run-next.mjs", "start"};
}

} // namespace rtad::app
