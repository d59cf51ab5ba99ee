#include "actors/admin.hpp"

#include "actors/detail/convert.hpp"
#include "actors/detail/log.hpp"
#include "messages/errors.hpp"

#include <caf/all.hpp>
#include <cmath>

namespace rtad {

namespace {

using self_ptr = admin_actor::stateful_pointer<admin_state>;

/// Compares without an early exit, so timing tells nothing about the secret.
bool same_secret(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0;
}

/// Empty when the request may go on; otherwise why it is refused.
std::string refusal(self_ptr self, const std::string& secret) {
  const auto& expected = self->state.cfg.secret;
  if (expected.empty())
    return "admin refused: node " + self->state.cfg.node +
           " has no node.admin_secret (RTAD_NODE_ADMIN_SECRET) set";
  if (!same_secret(secret, expected))
    return "admin refused: wrong secret";
  return {};
}

caf::error refused(const std::string& why, errc code = errc::refused) {
  log::warn("admin", why);
  return make_error(code, why);
}

node_info info_of(const admin_state& st) {
  const auto& m = *st.cfg.metrics;
  node_info i;
  i.node = st.cfg.node;
  i.version = admin_protocol_version;
  i.mode = st.cfg.mode;
  i.partitions = m.partitions();
  i.active_profiles = m.active_profiles;
  i.profile_memory_bytes = m.profile_memory_bytes;
  i.consumed = m.consumed;
  i.scored = m.scored;
  i.flagged = m.flagged;
  i.quarantined = m.quarantined;
  i.consumer_lag = m.consumer_lag;
  i.in_flight = m.in_flight;
  i.rebalances = m.rebalances;
  i.last_rebalance_ms = m.last_rebalance_ms;
  i.last_rebalance_users = m.last_rebalance_users;
  i.global_model_version = m.global_model_version;
  i.database_up = m.db_available;
  i.ready = m.ready;
  return i;
}

} // namespace

shard_actor shard_for(const std::vector<shard_actor>& shards, const std::string& user) {
  return shards[shard_of(user, shards.size())];
}

admin_actor::behavior_type admin(self_ptr self, admin_config cfg) {
  self->state.cfg = std::move(cfg);
  return {
    [=](version_atom) { return std::string(admin_protocol_version); },
    [=](status_atom, const std::string& secret) -> caf::result<node_info> {
      if (auto why = refusal(self, secret); !why.empty())
        return refused(why);
      return info_of(self->state);
    },
    [=](profile_atom, const std::string& secret,
        const std::string& user) -> caf::result<profile_info> {
      if (auto why = refusal(self, secret); !why.empty())
        return refused(why);
      return self->delegate(shard_for(self->state.cfg.shards, user), profile_atom::value, user);
    },
    [=](retrain_atom, const std::string& secret, const std::string& user) -> caf::result<bool> {
      if (auto why = refusal(self, secret); !why.empty())
        return refused(why);
      log::info("admin", "retrain" + log::fields()("user", user).str());
      return self->delegate(shard_for(self->state.cfg.shards, user), retrain_atom::value, user);
    },
    [=](freeze_atom, const std::string& secret, const std::string& user,
        bool frozen) -> caf::result<bool> {
      if (auto why = refusal(self, secret); !why.empty())
        return refused(why);
      log::info("admin", (frozen ? "freeze" : "unfreeze") + log::fields()("user", user).str());
      return self->delegate(shard_for(self->state.cfg.shards, user), freeze_atom::value, user,
                            frozen);
    },
    [=](threshold_atom, const std::string& secret, const std::string& user,
        double value) -> caf::result<bool> {
      if (auto why = refusal(self, secret); !why.empty())
        return refused(why);
      log::info("admin",
                "threshold" +
                  log::fields()("user", user.empty() ? "(floor)" : user)("value", value).str());
      if (!user.empty())
        return self->delegate(shard_for(self->state.cfg.shards, user), threshold_atom::value, user,
                              value);
      if (std::isnan(value) || value < 0 || value > 1)
        return refused("the global floor must be between 0 and 1", errc::invalid_argument);
      for (const auto& s : self->state.cfg.shards)
        self->send(s, floor_atom::value, value);
      return true;
    },
    [=](drain_atom, const std::string& secret) -> caf::result<bool> {
      if (auto why = refusal(self, secret); !why.empty())
        return refused(why);
      // The node's main loop stops it: leaving the consumer group revokes its
      // partitions, which commits their rows and checkpoints their profiles
      // before the other members are given them.
      log::info("admin", "drain requested; handing the partitions to the other nodes");
      self->state.cfg.metrics->draining = true;
      self->state.cfg.shutdown_requested->store(true);
      return true;
    },
    [=](stop_atom, const std::string& secret) -> caf::result<bool> {
      if (auto why = refusal(self, secret); !why.empty())
        return refused(why);
      log::info("admin", "shutdown requested; leaving the group cleanly");
      self->state.cfg.shutdown_requested->store(true);
      return true;
    },
    [=](join_atom, const std::string& secret, const member_info& m,
        const caf::actor& admin) -> caf::result<std::vector<member_info>> {
      if (auto why = refusal(self, secret); !why.empty())
        return refused(why);
      return self->delegate(self->state.cfg.registry, join_atom::value, m, admin);
    },
    [=](heartbeat_atom, const std::string& secret, const member_info& m, const caf::actor& admin,
        const std::vector<member_info>& known) -> caf::result<std::vector<member_info>> {
      if (auto why = refusal(self, secret); !why.empty())
        return refused(why);
      return self->delegate(self->state.cfg.registry, heartbeat_atom::value, m, admin, known);
    },
    [=](leave_atom, const std::string& secret, const member_info& m) {
      if (refusal(self, secret).empty())
        self->send(self->state.cfg.registry, leave_atom::value, m);
    },
    [=](members_atom, const std::string& secret) -> caf::result<std::vector<member_view>> {
      if (auto why = refusal(self, secret); !why.empty())
        return refused(why);
      return self->delegate(self->state.cfg.registry, members_atom::value);
    },
  };
}

} // namespace rtad
