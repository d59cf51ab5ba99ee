#pragma once
// The Next.js dashboard as a child of `rtad demo` and `rtad run`.

#include <map>
#include <string>
#include <vector>

namespace rtad::app {

/// The dashboard's folder in this checkout.
inline constexpr const char* default_frontend_dir = RTAD_SOURCE_DIR "/frontend";

/// Its environment: the database it reads and the port it serves.
std::map<std::string, std::string> dashboard_env(const std::string& pg_url, int port);

/// Makes the dashboard startable: its packages are there and it is built
/// (building it the first time, about a minute, output to `log_path`).
/// Returns an empty string when ready, else why not.
std::string prepare_dashboard(const std::string& frontend, const std::string& pg_url, int port,
                              const std::string& log_path);

/// Its command line, run in `frontend`: the server script directly, as
/// frontend/README.md asks of supervisors (npm does not pass SIGTERM on).
std::vector<std::string> dashboard_command();

} // namespace rtad::app
