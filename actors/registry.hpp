#pragma once

#include "messages/actors.hpp"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace rtad {

/// Settings of the registry actor.
struct registry_config {
  member_info self;               ///< this node, as the others reach it
  std::string secret;             ///< node.admin_secret: every member shares it
  std::vector<std::string> seeds; ///< node.join: host:port of admin actors to join through
  std::chrono::milliseconds heartbeat{2000};
  /// A member whose connection dropped, or who has not been heard for this
  /// long, is removed; a connection is retried every heartbeat meanwhile.
  std::chrono::milliseconds timeout{10000};
};

/// One other node as the registry knows it. One connection serves a pair
/// of members: the node that joins through a seed connects, and between
/// members who learnt of each other from others, the one whose name sorts
/// first; the other side takes the admin actor sent with join or heartbeat.
/// (Two connections between the same nodes make CAF's OpenSSL module drop
/// them in turn.)
struct registry_peer {
  member_info info;
  admin_actor handle;      ///< its admin actor; null while not connected
  bool connecting = false; ///< a connection attempt is under way
  bool connection_lost = false;
  std::chrono::steady_clock::time_point last_heard;
};

/// State of the registry actor.
struct registry_state {
  static inline const char* name = "registry";
  registry_config cfg;
  caf::actor own_admin;                       ///< handed to members with join and heartbeat
  std::map<std::string, registry_peer> peers; ///< by node name
  std::map<std::string, bool> seeds;          ///< endpoint -> connecting
  std::map<std::string, std::int64_t> gone;   ///< lost or left: node -> its incarnation
  std::vector<member_info> members() const;   ///< self and every peer
};

/// Cluster membership; see registry_actor in messages/actors.hpp.
registry_actor::behavior_type registry(registry_actor::stateful_pointer<registry_state> self,
                                       registry_config cfg);

} // namespace rtad
