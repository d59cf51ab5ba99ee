#include "actors/registry.hpp"

#include "actors/detail/admin_tls.hpp"
#include "actors/detail/log.hpp"
#include "config/settings.hpp"

#include <caf/all.hpp>

namespace rtad {

namespace {

using self_ptr = registry_actor::stateful_pointer<registry_state>;
using clock = std::chrono::steady_clock;

void learn(self_ptr self, const std::vector<member_info>& members);
void connect(self_ptr self, const std::string& endpoint, const std::string& node);

/// Notes that member `m` is alive: it spoke to this node itself (join,
/// heartbeat, an answer), or another member says so (`direct` false). Only
/// the member itself brings back one that was lost or left, else members
/// would hand a dead one back and forth forever.
void heard_from(self_ptr self, const member_info& m, bool direct) {
  auto& st = self->state;
  if (m.node == st.cfg.self.node)
    return;
  if (auto gone = st.gone.find(m.node); gone != st.gone.end()) {
    if (!direct && gone->second == m.incarnation)
      return;
    st.gone.erase(gone);
  }
  if (!direct && st.peers.count(m.node))
    return; // hearsay never refreshes a member that is known
  auto [it, added] = st.peers.try_emplace(m.node);
  auto& p = it->second;
  if (added) {
    log::info("registry",
              "member joined" + log::fields()("member", m.node)("admin", m.admin_endpoint).str());
  } else if (p.info.incarnation != m.incarnation && m.incarnation != 0) {
    log::info("registry", "member restarted" + log::fields()("member", m.node).str());
    p.handle = nullptr; // the old connection belongs to the old process
  }
  p.info = m;
  p.last_heard = clock::now();
  p.connection_lost = false;
}

/// Asks `handle` to take this node in; its answer is every member it knows.
void join_through(self_ptr self, admin_actor handle, const std::string& endpoint) {
  auto& st = self->state;
  self->request(handle, st.cfg.timeout, join_atom::value, st.cfg.secret, st.cfg.self, st.own_admin)
    .then(
      [=](const std::vector<member_info>& members) {
        self->state.seeds.erase(endpoint);
        // The answer starts with the member behind the endpoint: keep its handle.
        if (members.empty() || members.front().node == self->state.cfg.self.node)
          return;
        const auto& m = members.front();
        heard_from(self, m, true);
        auto& p = self->state.peers[m.node];
        if (!p.handle) {
          p.handle = handle;
          self->monitor(handle);
        }
        learn(self, members);
      },
      [=](const caf::error& e) {
        // A refusal (wrong secret, another release) does not heal by retrying fast;
        // the next heartbeat tries again and the log says why.
        log::warn("registry",
                  "join refused" +
                    log::fields()("admin", endpoint)("error", self->system().render(e)).str());
        if (auto it = self->state.seeds.find(endpoint); it != self->state.seeds.end())
          it->second = false;
      });
}

/// Whether this node connects to `peer` (see registry_peer).
bool initiates(self_ptr self, const registry_peer& peer) {
  return self->state.cfg.self.node < peer.info.node;
}

void learn(self_ptr self, const std::vector<member_info>& members) {
  for (const auto& m : members) {
    heard_from(self, m, false);
    auto it = self->state.peers.find(m.node);
    if (it != self->state.peers.end() && !it->second.handle && !it->second.connecting &&
        initiates(self, it->second))
      connect(self, m.admin_endpoint, m.node);
  }
}

/// Takes the admin actor a member sent with join or heartbeat, unless a
/// connection to it exists already.
void adopt(self_ptr self, const member_info& m, const caf::actor& admin) {
  auto it = self->state.peers.find(m.node);
  if (it == self->state.peers.end() || it->second.handle || !admin)
    return;
  it->second.handle = caf::actor_cast<admin_actor>(admin);
  self->monitor(it->second.handle);
}

/// Connects to the admin actor at `endpoint` without blocking (the
/// middleman does it and answers); `node` is empty for a seed not met yet.
void connect(self_ptr self, const std::string& endpoint, const std::string& node) {
  auto hp = config::parse_endpoint(endpoint);
  if (!hp)
    return;
  if (node.empty())
    self->state.seeds[endpoint] = true;
  else
    self->state.peers[node].connecting = true;
  auto done = [=] {
    if (node.empty()) {
      if (auto it = self->state.seeds.find(endpoint); it != self->state.seeds.end())
        it->second = false;
    } else if (auto it = self->state.peers.find(node); it != self->state.peers.end()) {
      it->second.connecting = false;
    }
  };
  self
    ->request(admin_connector(self->system()), self->state.cfg.timeout, caf::connect_atom::value,
              hp->first, hp->second)
    .then(
      [=](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>& ifs) {
        done();
        auto& sys = self->system();
        if (!ptr ||
            !sys.assignable(ifs, sys.message_types(caf::detail::type_list<admin_actor>{}))) {
          log::warn("registry", "not an rtad admin actor of this release" +
                                  log::fields()("admin", endpoint).str());
          return;
        }
        auto handle = caf::actor_cast<admin_actor>(std::move(ptr));
        if (node.empty()) {
          join_through(self, handle, endpoint);
          return;
        }
        if (auto it = self->state.peers.find(node); it != self->state.peers.end()) {
          it->second.handle = handle;
          self->monitor(handle);
          join_through(self, handle, endpoint);
        }
      },
      [=](const caf::error& e) {
        done();
        log::debug("registry",
                   "cannot reach member" +
                     log::fields()("admin", endpoint)("error", self->system().render(e)).str());
      });
}

void beat(self_ptr self) {
  auto& st = self->state;
  auto now = clock::now();
  for (auto it = st.peers.begin(); it != st.peers.end();) {
    auto& p = it->second;
    if (now - p.last_heard > st.cfg.timeout) {
      log::warn("registry", "member lost: silent for longer than the timeout" +
                              log::fields()("member", p.info.node)(
                                "timeout_ms", static_cast<std::int64_t>(st.cfg.timeout.count()))
                                .str());
      st.gone[p.info.node] = p.info.incarnation;
      it = st.peers.erase(it);
      continue;
    }
    if (p.handle) {
      auto node = p.info.node;
      self
        ->request(p.handle, st.cfg.heartbeat * 2, heartbeat_atom::value, st.cfg.secret, st.cfg.self,
                  st.own_admin, st.members())
        .then(
          [=](const std::vector<member_info>& members) {
            if (!members.empty() && members.front().node == node)
              heard_from(self, members.front(), true);
            learn(self, members);
          },
          [=](const caf::error&) {}); // silence is judged by last_heard
    } else if (!p.connecting && initiates(self, p)) {
      connect(self, p.info.admin_endpoint, p.info.node);
    }
    ++it;
  }
  for (const auto& [endpoint, connecting] : std::map<std::string, bool>(st.seeds))
    if (!connecting)
      connect(self, endpoint, "");
}

} // namespace

std::vector<member_info> registry_state::members() const {
  std::vector<member_info> out{cfg.self};
  for (const auto& [name, p] : peers)
    out.push_back(p.info);
  return out;
}

registry_actor::behavior_type registry(self_ptr self, registry_config cfg) {
  self->state.cfg = std::move(cfg);
  self->set_down_handler([=](const caf::down_msg& dm) {
    // The connection to a member dropped: it may be restarting or cut off.
    // Keep it until the timeout (a restarted node rejoins and is heard again);
    // reconnect at the next beat.
    for (auto& [name, p] : self->state.peers)
      if (p.handle && p.handle.address() == dm.source) {
        log::warn("registry", "connection to member lost" + log::fields()("member", name).str());
        p.handle = nullptr;
        p.connection_lost = true;
      }
  });
  return {
    [=](admin_actor& own) {
      if (self->state.own_admin)
        return;
      self->state.own_admin = caf::actor_cast<caf::actor>(std::move(own));
      for (const auto& seed : self->state.cfg.seeds)
        connect(self, seed, "");
      self->send(self, tick_atom::value);
    },
    [=](join_atom, const member_info& m, const caf::actor& admin) {
      heard_from(self, m, true);
      adopt(self, m, admin);
      return self->state.members();
    },
    [=](heartbeat_atom, const member_info& m, const caf::actor& admin,
        const std::vector<member_info>& members) {
      heard_from(self, m, true);
      adopt(self, m, admin);
      learn(self, members);
      return self->state.members();
    },
    [=](leave_atom, const member_info& m) {
      auto it = self->state.peers.find(m.node);
      if (it == self->state.peers.end() || it->second.info.incarnation != m.incarnation)
        return;
      log::info("registry", "member left" + log::fields()("member", m.node).str());
      self->state.gone[m.node] = m.incarnation;
      self->state.peers.erase(it);
    },
    [=](members_atom) {
      auto now = clock::now();
      std::vector<member_view> out{{self->state.cfg.self, "self", 0}};
      for (const auto& [name, p] : self->state.peers)
        out.push_back(
          {p.info, p.connection_lost || !p.handle ? "suspect" : "alive",
           std::chrono::duration_cast<std::chrono::milliseconds>(now - p.last_heard).count()});
      return out;
    },
    [=](tick_atom) {
      beat(self);
      self->delayed_send(self, self->state.cfg.heartbeat, tick_atom::value);
    },
    [=](stop_atom) {
      for (const auto& [name, p] : self->state.peers)
        if (p.handle)
          self->send(p.handle, leave_atom::value, self->state.cfg.secret, self->state.cfg.self);
      self->quit();
      return done_atom::value;
    },
  };
}

} // namespace rtad
