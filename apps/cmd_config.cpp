// `rtad config show|keys|example` and `rtad version`.
#include "apps/command.hpp"

#include <iomanip>
#include <iostream>

namespace rtad::app {

namespace {

constexpr const char* rtad_version = "0.1.0";

// The committed config/rtad.example.toml is this output; a test keeps them equal.
int print_example() {
  std::cout
    << "# rtad configuration: every key with its default.\n"
       "# Precedence: defaults < .rtad/services.env < this file (--config or $RTAD_CONFIG)\n"
       "#             < RTAD_* environment (shown per key) < --set key=value.\n";
  std::string section;
  for (const auto& k : config::keys()) {
    auto dot = k.key.find('.');
    auto sec = k.key.substr(0, dot);
    if (sec != section) {
      std::cout << "\n[" << sec << "]\n";
      section = sec;
    }
    const auto& v = k.default_value;
    std::cout << "# " << k.doc << " (" << k.env << ")\n"
              << k.key.substr(dot + 1) << " = " << (k.is_text ? "\"" + v + "\"" : v) << "\n";
  }
  std::cout
    << "\n# librdkafka properties for every Kafka client rtad makes (node, produce, demo),\n"
       "# e.g. a secured broker; environment: RTAD_KAFKA_PROPERTY_SASL_MECHANISM=PLAIN;\n"
       "# command line: --set kafka.properties.sasl.mechanism=PLAIN.\n"
       "# [kafka.properties]\n"
       "# \"security.protocol\" = \"SASL_SSL\"\n"
       "# \"sasl.mechanism\" = \"PLAIN\"\n"
       "# \"sasl.username\" = \"rtad\"\n"
       "# \"ssl.ca.location\" = \"/etc/ssl/certs/broker-ca.pem\"\n";
  return 0;
}

/// Never print a secret, only whether it is set.
bool secret(const std::string& key) {
  for (const char* word : {"secret", "passphrase", "password", "jaas"})
    if (key.find(word) != std::string::npos)
      return true;
  return false;
}

command make_config(CLI::App& root, const global_options& g) {
  auto* cmd = root.add_subcommand("config", "inspect settings");
  cmd->require_subcommand(1);
  auto* show = cmd->add_subcommand("show", "print every setting after all layers are applied");
  auto* keys = cmd->add_subcommand("keys", "list every key, its environment variable and doc");
  auto* example = cmd->add_subcommand("example", "print a TOML file of every key's default");
  return {cmd, [=, &g] {
            if (example->parsed())
              return print_example();
            if (keys->parsed()) {
              for (const auto& k : config::keys())
                std::cout << std::left << std::setw(28) << k.key << std::setw(34) << k.env << k.doc
                          << " (default: " << k.default_value << ")\n";
              return 0;
            }
            auto s = g.load();
            (void)show;
            for (const auto& k : config::keys()) {
              auto v = config::get(s, k.key);
              if (secret(k.key))
                v = v.empty() ? "(not set)" : "(set)";
              std::cout << std::left << std::setw(28) << k.key << v << "\n";
            }
            for (const auto& [name, value] : s.kafka.properties)
              std::cout << std::left << std::setw(28) << "kafka.properties." + name + " "
                        << (secret(name) ? "(set)" : value) << "\n";
            return 0;
          }};
}

command make_version(CLI::App& root, const global_options&) {
  auto* cmd = root.add_subcommand("version", "print the version");
  return {cmd, [] {
            std::cout << "rtad " << rtad_version << "\n";
            return 0;
          }};
}

} // namespace

RTAD_REGISTER_COMMAND("config", make_config);
RTAD_REGISTER_COMMAND("version", make_version);

} // namespace rtad::app
