#pragma once

#include "actors/detail/metrics.hpp"
#include "messages/actors.hpp"

#include <caf/actor.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace rtad {

/// Settings of the liveness actor.
struct liveness_config {
  /// The actors a node cannot detect without, by the name /healthz gives them.
  std::vector<std::pair<std::string, caf::actor>> watched;
  std::chrono::milliseconds interval{1000};
  std::shared_ptr<node_metrics> metrics;
};

/// State of the liveness actor.
struct liveness_state {
  static inline const char* name = "liveness";
  liveness_config cfg;
  /// Whether the last ping of each watched actor is still unanswered.
  std::vector<bool> waiting;
};

/// Pings each watched actor every interval, at most one ping outstanding per
/// actor, and records each answer in node_metrics::answered. An actor that
/// ended is the node's `failed` (node.cpp watches it); one that lives but
/// does not answer (a handler that never returns, a thread blocked on a
/// lock) is what this finds: a ping waits in its mailbox behind the handler.
liveness_actor::behavior_type liveness(liveness_actor::stateful_pointer<liveness_state> self,
                                       liveness_config cfg);

} // namespace rtad
