#include "actors/feedback_listener.hpp"

#include "actors/detail/convert.hpp"
#include "actors/detail/log.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace rtad {

namespace {
using self_ptr = feedback_listener_actor::stateful_pointer<feedback_state>;
constexpr std::chrono::seconds reconnect_delay{2};
} // namespace

/// Turns each `rtad_labels` notification into a label for its user's shard.
class label_receiver : public pqxx::notification_receiver {
public:
  label_receiver(pqxx::connection& c, self_ptr self)
      : pqxx::notification_receiver(c, "rtad_labels"), self_(self) {}

  void operator()(const std::string& payload, int) override {
    auto j = nlohmann::json::parse(payload, nullptr, false);
    if (j.is_discarded() || !j.contains("user_id") || !j.contains("transaction_id")) {
      log::warn("feedback", "ignoring malformed label notification: " + payload);
      return;
    }
    label l;
    l.id = j.value("id", std::int64_t{0});
    l.transaction_id = j["transaction_id"].get<std::string>();
    l.user_id = j["user_id"].get<std::string>();
    l.confirmed_fraud = j.value("label", std::string{}) == "confirmed_fraud";
    const auto& shards = self_->state.cfg.shards;
    // Only a shard with the user's profile in memory applies it now; otherwise
    // the owning node applies it when it next restores the user.
    caf::anon_send(shards[shard_of(l.user_id, shards.size())], label_atom::value, std::move(l));
  }

private:
  self_ptr self_;
};

feedback_listener_actor::behavior_type feedback_listener(self_ptr self, feedback_config cfg) {
  self->state.cfg = std::move(cfg);
  self->send(self, poll_atom::value);
  return {
    [=](poll_atom) {
      auto& st = self->state;
      try {
        if (!st.conn || !st.conn->is_open()) {
          if (std::chrono::steady_clock::now() < st.retry_at) {
            std::this_thread::sleep_for(st.cfg.wait);
            self->send(self, poll_atom::value);
            return;
          }
          st.receiver.reset();
          st.conn = std::make_shared<pqxx::connection>(st.cfg.pg_url);
          st.receiver = std::make_shared<label_receiver>(*st.conn, self);
        }
        auto ms = st.cfg.wait.count();
        st.conn->await_notification(ms / 1000, (ms % 1000) * 1000);
      } catch (const std::exception& e) {
        log::warn("feedback", std::string("listener lost PostgreSQL, reconnecting: ") + e.what());
        st.receiver.reset();
        st.conn.reset();
        st.retry_at = std::chrono::steady_clock::now() + reconnect_delay;
      }
      self->send(self, poll_atom::value);
    },
    [=](stop_atom) {
      self->state.receiver.reset();
      self->state.conn.reset();
      self->quit();
      return done_atom::value;
    },
  };
}

} // namespace rtad
