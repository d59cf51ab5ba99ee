#define BOOST_TEST_MODULE sink lanes
// The sink's lanes on CAF's test coordinator: every message runs when the
// test says so, and the writers are scripted actors (sink_config::
// spawn_writer), so what the sink hands each writer, and when the source's
// credit comes back, is checked step by step with no PostgreSQL and no
// timing. The real writers are tested against PostgreSQL in sink_test.
#include "actors/detail/pg_writer.hpp"
#include "actors/sink.hpp"
#include "support/test_coordinator.hpp"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <map>
#include <optional>
#include <set>
#include <thread>

using namespace rtad;

namespace {

/// What one writer was handed: the (partition, offset) of each row.
struct handed {
  std::size_t lane;
  std::vector<std::pair<std::int32_t, std::int64_t>> rows;
};

/// A writer that records what it is handed and answers lane `lane`'s
/// entry of `outcome` (none: committed). (Spawned with arguments: CAF 0.17
/// dereferences a null tuple for a function spawned without any.)
sink_writer_actor::behavior_type
scripted_writer(std::size_t lane, std::shared_ptr<std::vector<handed>> log,
                std::shared_ptr<std::map<std::size_t, std::string>> outcome) {
  return {[=](const batch_ref& b) {
    handed h{lane, {}};
    for (const auto* r : b->rows)
      h.rows.emplace_back(r->txn.partition, r->txn.offset);
    log->push_back(std::move(h));
    return write_outcome{(*outcome)[lane], 0, 0, 0};
  }};
}

/// A node's actor system on the test coordinator, a sink whose writers
/// answer as `outcome` says, and what they were handed.
struct lanes_fixture : test::stepped_system {
  std::shared_ptr<std::vector<handed>> log = std::make_shared<std::vector<handed>>();
  /// The error lane `i` answers with (empty: committed).
  std::shared_ptr<std::map<std::size_t, std::string>> outcome =
    std::make_shared<std::map<std::size_t, std::string>>();
  sink_actor sink;

  explicit lanes_fixture(std::size_t writers) {
    sink_config c;
    c.writers = writers;
    c.metrics = std::make_shared<node_metrics>();
    c.max_backoff = std::chrono::milliseconds(1);
    c.spawn_writer = [log = log, outcome = outcome](caf::local_actor& self, std::size_t lane) {
      return self.spawn<caf::linked>(scripted_writer, lane, log, outcome);
    };
    sink = sys.spawn(rtad::sink, std::move(c));
    sched.run();
  }

  /// Announces offsets as a source does; the credit lands in the result once answered.
  std::shared_ptr<std::optional<std::uint64_t>> announce(std::vector<offset_batch> batches) {
    auto credit = std::make_shared<std::optional<std::uint64_t>>();
    sys.spawn(
      [credit](caf::event_based_actor* source, sink_actor to, std::vector<offset_batch> what) {
        source->request(to, caf::infinite, announce_atom::value, std::move(what))
          .then([=](std::uint64_t n) { *credit = n; });
      },
      sink, std::move(batches));
    sched.run();
    return credit;
  }

  /// Results of a profile for these (partition, offset).
  void score(const std::vector<std::pair<std::int32_t, std::int64_t>>& at) {
    std::vector<scored_transaction> results;
    for (auto [p, o] : at) {
      scored_transaction s;
      s.txn.transaction_id = "tx-" + std::to_string(p) + "-" + std::to_string(o);
      s.txn.user_id = "u" + std::to_string(p);
      s.txn.partition = p;
      s.txn.offset = o;
      results.push_back(std::move(s));
    }
    caf::anon_send(sink, std::move(results));
    sched.run();
  }

  /// Lets the sink's retry fall due: its backoff is on the steady clock.
  void after_backoff() {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    sched.trigger_timeouts();
    sched.run();
  }

  ~lanes_fixture() {
    caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
    sched.run(); // the system waits for its actors, which run only here
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(each_partition_is_written_by_one_lane_and_credit_returns_once_committed) {
  lanes_fixture f(2);
  auto credit = f.announce({{0, {0, 1}, 0}, {1, {0}, 0}, {2, {0}, 0}, {3, {0, 1}, 0}});
  BOOST_TEST(!credit->has_value());
  f.score({{0, 0}, {1, 0}, {2, 0}, {3, 0}});
  f.score({{0, 1}, {3, 1}});
  std::map<std::int32_t, std::set<std::size_t>> lanes_of;
  std::size_t rows = 0;
  for (const auto& h : *f.log)
    for (auto [p, o] : h.rows) {
      lanes_of[p].insert(h.lane);
      ++rows;
    }
  BOOST_TEST(rows == 6u);
  for (auto [p, lanes] : lanes_of) {
    BOOST_TEST(lanes.size() == 1u, "partition " << p << " was written by several lanes");
    BOOST_TEST(*lanes.begin() == static_cast<std::size_t>(p) % 2, "partition " << p);
  }
  BOOST_REQUIRE(credit->has_value());
  BOOST_TEST(**credit == 6u);
}

BOOST_AUTO_TEST_CASE(a_failed_write_goes_again_whole_and_holds_back_only_its_credit) {
  lanes_fixture f(2);
  (*f.outcome)[1] = "connection lost";
  auto even = f.announce({{0, {0}, 0}});
  auto odd = f.announce({{1, {0}, 0}});
  f.score({{0, 0}, {1, 0}});
  // Lane 0 committed; lane 1 failed and waits for its backoff.
  BOOST_REQUIRE(even->has_value());
  BOOST_TEST(**even == 1u);
  BOOST_TEST(!odd->has_value());
  auto attempts = [&] {
    return std::count_if(f.log->begin(), f.log->end(), [](const handed& h) { return h.lane == 1; });
  };
  BOOST_TEST(attempts() == 1);
  // Rows that arrive meanwhile wait behind the failed flight: it goes again
  // as it was, so its partition's rows commit in order.
  f.score({{1, 1}});
  BOOST_TEST(attempts() == 1);
  f.after_backoff();
  BOOST_TEST(attempts() == 2);
  BOOST_TEST(!odd->has_value());
  f.outcome->erase(1);
  f.after_backoff();
  std::vector<std::vector<std::pair<std::int32_t, std::int64_t>>> lane1;
  for (const auto& h : *f.log)
    if (h.lane == 1)
      lane1.push_back(h.rows);
  BOOST_REQUIRE(lane1.size() >= 4u);
  using rows = std::vector<std::pair<std::int32_t, std::int64_t>>;
  BOOST_TEST((lane1[0] == rows{{1, 0}}));
  BOOST_TEST((lane1[1] == lane1[0]));         // the same flight again
  BOOST_TEST((lane1[2] == lane1[0]));         // ... until it commits
  BOOST_TEST((lane1.back() == rows{{1, 1}})); // then what waited behind it
  BOOST_REQUIRE(odd->has_value());
  BOOST_TEST(**odd == 1u);
}
