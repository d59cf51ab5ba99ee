#pragma once
// The actor system every rtad process that runs actors builds the same way.

#include "messages/errors.hpp"
#include "messages/register.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <thread>

namespace rtad {

/// An actor system configuration with every rtad message type and rtad's
/// error category registered and the middleman loaded (for the admin interface and clusters).
class rtad_system_config : public caf::actor_system_config {
public:
  rtad_system_config() {
    register_message_types(*this);
    add_error_category(error_category, render_error);
    load<caf::io::middleman>();
    // Peers of another application (or another rtad protocol) are refused at connect.
    set("middleman.app-identifiers", std::vector<std::string>{"rtad-1"});
    set("scheduler.max-threads", std::max(2u, std::thread::hardware_concurrency()));
    // An idle worker polls 500 times, 50 us apart, before it waits on its
    // condition variable (which an enqueue wakes at once): a node waiting for
    // its commits spent a tenth of its CPU in those wake-ups. Twenty polls
    // (1 ms) keep the latency of a busy spell and drop most of the rest.
    set("work-stealing.moderate-poll-attempts", std::size_t{20});
    set("logger.console-verbosity", caf::atom("quiet"));
    set("logger.file-verbosity", caf::atom("quiet"));
  }
};

} // namespace rtad
