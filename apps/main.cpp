// rtad: real-time anomaly detection for payment transactions. One binary,
// subcommands in cmd_*.cpp.
#include "actors/detail/log.hpp"
#include "apps/command.hpp"

#include <algorithm>
#include <iostream>
#include <map>

namespace rtad::app {

namespace {

/// Exit codes (README, "Running rtad"): 0 done, 1 failed, 2 the command
/// line or a setting is wrong, 3 a node's shutdown overran its timeout.
constexpr int exit_usage = 2;

std::map<std::string, command_factory>& factories() {
  static std::map<std::string, command_factory> f;
  return f;
}

} // namespace

bool register_command(const char* name, command_factory f) {
  factories()[name] = f;
  return true;
}

std::vector<std::pair<std::string, command_factory>> registered_commands() {
  return {factories().begin(), factories().end()};
}

config::settings global_options::load() const {
  config::sources src;
  if (!config_file.empty())
    src.file = config_file;
  for (const auto& o : overrides) {
    auto eq = o.find('=');
    if (eq == std::string::npos)
      throw config::config_error("--set '" + o + "': expected key=value");
    src.overrides.emplace_back(o.substr(0, eq), o.substr(eq + 1));
  }
  auto s = config::load(src);
  // From here on every line, rtad's and librdkafka's, as the settings say.
  const auto& l = s.log.level;
  log::configure(l == "debug"   ? log::level::debug
                 : l == "warn"  ? log::level::warn
                 : l == "error" ? log::level::error
                                : log::level::info,
                 s.log.format == "json" ? log::format::json : log::format::text);
  return s;
}

} // namespace rtad::app

int main(int argc, char** argv) {
  using namespace rtad::app;
  CLI::App app{"rtad: real-time anomaly (fraud) detection for payment transactions"};
  app.require_subcommand(1);
  app.fallthrough();
  global_options g;
  app.add_option("-c,--config", g.config_file, "TOML configuration file (also $RTAD_CONFIG)");
  app.add_option("-s,--set", g.overrides, "override a setting: key=value (repeatable)");
  std::vector<command> commands;
  for (const auto& [name, factory] : registered_commands())
    commands.push_back(factory(app, g));
  app.set_version_flag("-V,--version", std::string("rtad ") + RTAD_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version answer and succeed; anything else is a usage
    // error: exit 2, as for a bad setting (CLI11's own codes are 100+).
    app.exit(e);
    return e.get_exit_code() == 0 ? 0 : exit_usage;
  }
  try {
    for (const auto& c : commands)
      if (c.cli->parsed())
        return c.run();
  } catch (const rtad::config::config_error& e) {
    std::cerr << "rtad: configuration error: " << e.what() << "\n";
    return exit_usage;
  } catch (const usage_error& e) {
    std::cerr << "rtad: " << e.what() << "\n";
    return exit_usage;
  } catch (const user_error& e) {
    std::cerr << "rtad: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "rtad: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
