#define BOOST_TEST_MODULE shard passivation order
// A shard passivating a profile, on CAF's test coordinator with a scripted
// sink and profile store: the test decides when the profile's last
// checkpoint commits, so the order of what happens around it is checked
// step by step, with no PostgreSQL and no timing. (passivation_test runs
// the same on the real scheduler with the real sink and store.)
#include "actors/shard.hpp"
#include "support/no_global_model.hpp"
#include "support/test_coordinator.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <map>

using namespace rtad;

namespace {

/// What the scripted sink and store saw, in order, and what they keep.
struct journal {
  std::vector<std::string> events;
  std::map<std::string, std::vector<std::uint8_t>> committed; ///< user -> checkpoint
  std::vector<std::pair<profile_checkpoint, caf::typed_response_promise<bool>>> held;
};

/// A sink that records results and holds every profile checkpoint until it
/// gets flush_atom (then they commit).
sink_actor::behavior_type scripted_sink(sink_actor::pointer self, std::shared_ptr<journal> j) {
  return {
    [](announce_atom, std::vector<offset_batch>&) { return std::uint64_t{0}; },
    [=](std::vector<scored_transaction>& results) {
      for (const auto& r : results)
        j->events.push_back("scored " + r.txn.transaction_id);
    },
    [](quarantine_entry&) {},
    [=](checkpoint_atom, profile_checkpoint& c) {
      j->events.push_back("checkpoint asked " + c.user_id);
      auto rp = self->make_response_promise<bool>();
      j->held.emplace_back(std::move(c), rp);
      return rp;
    },
    [](checkpoint_atom, global_checkpoint&) { return true; },
    [](label_atom, std::vector<std::int64_t>&) {},
    [](drain_atom, std::vector<std::int32_t>&) { return true; },
    [](subscribe_atom, global_model_actor) {},
    [=](flush_atom) {
      for (auto& [c, rp] : std::exchange(j->held, {})) {
        j->committed[c.user_id] = c.bytes;
        j->events.push_back("checkpoint committed " + c.user_id);
        rp.deliver(true);
      }
    },
    [](ping_atom) { return ping_atom::value; },
  };
}

/// A store that restores what the scripted sink committed.
profile_store_actor::behavior_type scripted_store(std::shared_ptr<journal> j) {
  return {
    [=](load_atom, const std::string& user) {
      j->events.push_back("load " + user);
      profile_restore r;
      if (auto it = j->committed.find(user); it != j->committed.end()) {
        r.found = true;
        r.checkpoint = it->second;
      }
      return r;
    },
    [](flush_atom) {},
    [](ping_atom) { return ping_atom::value; },
  };
}

transaction purchase(const std::string& id, std::int64_t offset) {
  transaction t;
  t.transaction_id = id;
  t.user_id = "u1";
  t.amount = 25;
  t.currency = "EUR";
  t.location = "DE";
  t.timestamp = 1767225600 + offset * 60;
  t.transaction_type = "purchase";
  t.merchant_category = "groceries";
  t.payment_method = "card";
  t.device_type = "mobile";
  t.partition = 0;
  t.offset = offset;
  return t;
}

} // namespace

BOOST_AUTO_TEST_CASE(
  what_arrives_while_a_profile_checkpoints_waits_for_a_profile_restored_from_it) {
  test::stepped_system stepped;
  auto& sys = stepped.sys;
  auto& sched = stepped.sched;
  auto j = std::make_shared<journal>();
  shard_config sc;
  sc.profile.sink = sys.spawn(scripted_sink, j);
  sc.profile.store = sys.spawn(scripted_store, j);
  sc.profile.metrics = std::make_shared<node_metrics>();
  sc.passivate_after = std::chrono::seconds(0); // every tick passivates what is idle
  auto shard = sys.spawn(rtad::shard, sc);
  caf::anon_send(shard, test::no_global_model());
  caf::anon_send(shard, std::vector<transaction>{purchase("tx-1", 0)});
  sched.run();
  BOOST_TEST((j->events == std::vector<std::string>{"load u1", "scored tx-1"}));

  // The tick passivates the idle profile; its checkpoint is held in the sink.
  sched.trigger_timeouts();
  sched.run();
  BOOST_TEST(j->held.size() == 1u);
  BOOST_TEST(sc.profile.metrics->passivations.load() == 0u); // not before the checkpoint commits

  // The user's next transaction must not reach a second profile restored
  // from the checkpoint before this one (it would miss what tx-1 taught).
  caf::anon_send(shard, std::vector<transaction>{purchase("tx-2", 1)});
  sched.run();
  BOOST_TEST(j->events.back() == "checkpoint asked u1");

  caf::anon_send(sc.profile.sink, flush_atom::value); // the checkpoint commits
  sched.run();
  BOOST_TEST(
    (j->events == std::vector<std::string>{"load u1", "scored tx-1", "checkpoint asked u1",
                                           "checkpoint committed u1", "load u1", "scored tx-2"}));
  BOOST_TEST(!j->committed["u1"].empty());
  BOOST_TEST(sc.profile.metrics->passivations.load() == 1u);
  BOOST_TEST(sc.profile.metrics->active_profiles.load() == 1u);
  caf::anon_send_exit(shard, caf::exit_reason::user_shutdown);
  sched.run();
}
