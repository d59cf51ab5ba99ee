#pragma once
// How subcommands plug into the `rtad` command line: each cmd_*.cpp defines a
// factory and registers it with RTAD_REGISTER_COMMAND; main.cpp knows none.

#include "config/settings.hpp"

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace rtad::app {

/// Options every command shares: where settings come from.
struct global_options {
  std::string config_file;
  std::vector<std::string> overrides; ///< key=value
  /// All layers applied; throws config::config_error on bad input.
  config::settings load() const;
};

/// A subcommand: its CLI11 node and what runs when it was given. `run`
/// returns the process exit code.
struct command {
  CLI::App* cli = nullptr;
  std::function<int()> run;
};

using command_factory = command (*)(CLI::App& root, const global_options& g);

/// Adds a factory; called from static initialisers.
bool register_command(const char* name, command_factory f);

/// Every registered factory, sorted by name.
std::vector<std::pair<std::string, command_factory>> registered_commands();

/// Thrown by a command for an error the user can fix; main prints it and exits 1.
struct user_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Thrown for arguments a command cannot take (a malformed or out-of-range
/// value, options that exclude each other): main exits 2, as for the
/// command-line parser's own refusals and a bad setting.
struct usage_error : user_error {
  using user_error::user_error;
};

} // namespace rtad::app

#define RTAD_REGISTER_COMMAND(name, factory)                                                       \
  static const bool rtad_registered_##factory = ::rtad::app::register_command(name, factory)
