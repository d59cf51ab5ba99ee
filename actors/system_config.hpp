#pragma once
// The actor system every rtad process that runs actors builds the same way.

#include "messages/register.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <thread>

namespace rtad {

/// An actor system configuration with every rtad message type registered and
/// the middleman loaded (for the admin interface and clusters).
class rtad_system_config : public caf::actor_system_config {
public:
  rtad_system_config() {
    register_message_types(*this);
    load<caf::io::middleman>();
    // Peers of another application (or another rtad protocol) are refused at connect.
    set("middleman.app-identifiers", std::vector<std::string>{"rtad-1"});
    set("scheduler.max-threads", std::max(2u, std::thread::hardware_concurrency()));
    set("logger.console-verbosity", caf::atom("quiet"));
    set("logger.file-verbosity", caf::atom("quiet"));
  }
};

} // namespace rtad
