// rtad: real-time anomaly detection for payment transactions.
#include "config/settings.hpp"

#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>

namespace {

constexpr const char* version = "0.1.0";

int config_show(const rtad::config::settings& s) {
  for (const auto& k : rtad::config::keys())
    std::cout << std::left << std::setw(28) << k.key << rtad::config::get(s, k.key) << "\n";
  return 0;
}

// The committed config/rtad.example.toml is this output; a test keeps them equal.
int config_example() {
  std::cout << "# rtad configuration: every key with its default.\n"
               "# Precedence: defaults < .rtad/services.env < this file (--config or $RTAD_CONFIG)\n"
               "#             < RTAD_* environment (shown per key) < --set key=value.\n";
  std::string section;
  for (const auto& k : rtad::config::keys()) {
    auto dot = k.key.find('.');
    auto sec = k.key.substr(0, dot);
    if (sec != section) {
      std::cout << "\n[" << sec << "]\n";
      section = sec;
    }
    const auto& value = k.default_value;
    bool quoted = k.is_text;
    std::cout << "# " << k.doc << " (" << k.env << ")\n"
              << k.key.substr(dot + 1) << " = " << (quoted ? "\"" + value + "\"" : value) << "\n";
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"rtad: real-time anomaly (fraud) detection for payment transactions"};
  app.require_subcommand(1);
  std::string config_file;
  std::vector<std::string> overrides;
  app.add_option("-c,--config", config_file, "TOML configuration file (also $RTAD_CONFIG)");
  app.add_option("-s,--set", overrides, "override a setting: key=value (repeatable)");
  auto* version_cmd = app.add_subcommand("version", "print the version");
  auto* config_cmd = app.add_subcommand("config", "inspect settings");
  config_cmd->require_subcommand(1);
  auto* config_show_cmd =
    config_cmd->add_subcommand("show", "print every setting after all layers are applied");
  auto* config_keys_cmd =
    config_cmd->add_subcommand("keys", "list every key with its environment variable and doc");
  auto* config_example_cmd =
    config_cmd->add_subcommand("example", "print a TOML file documenting every key's default");
  CLI11_PARSE(app, argc, argv);

  try {
    if (version_cmd->parsed()) {
      std::cout << "rtad " << version << "\n";
      return 0;
    }
    rtad::config::sources src;
    if (!config_file.empty())
      src.file = config_file;
    for (const auto& o : overrides) {
      auto eq = o.find('=');
      if (eq == std::string::npos)
        throw rtad::config::config_error("--set '" + o + "': expected key=value");
      src.overrides.emplace_back(o.substr(0, eq), o.substr(eq + 1));
    }
    if (config_keys_cmd->parsed()) {
      for (const auto& k : rtad::config::keys())
        std::cout << std::left << std::setw(28) << k.key << std::setw(34) << k.env << k.doc
                  << " (default: " << k.default_value << ")\n";
      return 0;
    }
    if (config_example_cmd->parsed())
      return config_example();
    auto settings = rtad::config::load(src);
    if (config_show_cmd->parsed())
      return config_show(settings);
  } catch (const rtad::config::config_error& e) {
    std::cerr << "rtad: configuration error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "rtad: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
