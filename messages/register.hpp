#pragma once

#include <caf/actor_system_config.hpp>

namespace rtad {

/// Registers every message type of rtad. Every process calls it before it
/// creates its actor system (a missing type fails only at run time).
void register_message_types(caf::actor_system_config& cfg);

} // namespace rtad
