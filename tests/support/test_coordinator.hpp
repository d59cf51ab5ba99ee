#pragma once
// A node's actor system on CAF's test coordinator: nothing runs until the
// test calls run(), timers fire on trigger_timeouts(), one message at a time.

#include "actors/detail/system_config.hpp"

#include <caf/actor_system.hpp>
#include <caf/scheduler/test_coordinator.hpp>

namespace rtad::test {

struct testing_config : rtad_system_config {
  testing_config() { set("scheduler.policy", caf::atom("testing")); }
};

/// The system and its coordinator. Actors still alive at the end must be
/// sent an exit and run() before it goes: the system waits for them.
struct stepped_system {
  testing_config cfg;
  caf::actor_system sys{cfg};
  caf::scheduler::test_coordinator& sched =
    dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
};

} // namespace rtad::test
