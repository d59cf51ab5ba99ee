// rtad: real-time anomaly detection for payment transactions. One binary,
// subcommands in cmd_*.cpp.
#include "apps/command.hpp"

#include <algorithm>
#include <iostream>
#include <map>

namespace rtad::app {

namespace {

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
  return config::load(src);
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
  CLI11_PARSE(app, argc, argv);
  try {
    for (const auto& c : commands)
      if (c.cli->parsed())
        return c.run();
  } catch (const rtad::config::config_error& e) {
    std::cerr << "rtad: configuration error: " << e.what() << "\n";
    return 2;
  } catch (const user_error& e) {
    std::cerr << "rtad: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "rtad: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
