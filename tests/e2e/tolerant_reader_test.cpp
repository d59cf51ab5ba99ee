#define BOOST_TEST_MODULE tolerant reader
// What a healthy producer may send that rtad did not expect, through the real
// broker into PostgreSQL: fields it adds (top-level or nested) are ignored and
// counted, not quarantined; a transaction it sends twice (a retry) is stored
// and learnt once, its first verdict standing. Before, a top-level unknown
// field quarantined the message while a nested one passed silently, and a
// retry was learnt twice.
#include "actors/detail/system_config.hpp"
#include "actors/node.hpp"
#include "support/node_fixture.hpp"
#include "support/stream.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

using namespace rtad;
using test::wall_clock;

BOOST_AUTO_TEST_CASE(fields_a_producer_added_are_ignored_and_counted) {
  test::node_fixture f("rtad_tolerant_fields", 2);
  test::population people(20, 5, wall_clock() - 2 * 86400);
  test::producer p(f.settings.kafka.bootstrap);
  long long sent = 0, extended = 0;
  for (int r = 0; r < 10; ++r)
    for (const auto& t : people.round()) {
      auto j = nlohmann::json::parse(encode_transaction(t));
      if (sent % 4 == 0) {
        j["loyalty_tier"] = "gold";                 // top-level
        j["merchant"]["mcc"] = 5411;                // nested
        j["device_info"]["os"] = {{"name", "ios"}}; // nested, itself an object
        ++extended;
      }
      p.send(f.topic, t.user_id, j.dump());
      ++sent;
    }
  p.flush();
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  f.wait_for("select count(*) from transactions", sent, std::chrono::seconds(60));
  BOOST_TEST(n.stop(std::chrono::seconds(30)));
  BOOST_TEST(f.count("select count(*) from transactions") == sent);
  BOOST_TEST(f.count("select count(*) from quarantine") == 0);
  BOOST_TEST(n.metrics()->unknown_fields.load() == static_cast<std::uint64_t>(3 * extended));
}

BOOST_AUTO_TEST_CASE(unknown_fields_are_quarantined_when_asked) {
  test::node_fixture f("rtad_tolerant_strict", 1);
  f.settings.input.quarantine_unknown_fields = true;
  test::population people(10, 6, wall_clock() - 86400);
  test::producer p(f.settings.kafka.bootstrap);
  auto round = people.round();
  for (std::size_t i = 0; i < round.size(); ++i) {
    auto j = nlohmann::json::parse(encode_transaction(round[i]));
    if (i == 3)
      j["device_info"]["os"] = "ios";
    p.send(f.topic, round[i].user_id, j.dump());
  }
  p.flush();
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  f.wait_for("select count(*) from transactions", 9, std::chrono::seconds(60));
  f.wait_for("select count(*) from quarantine", 1, std::chrono::seconds(10));
  BOOST_TEST(n.stop(std::chrono::seconds(30)));
  BOOST_TEST(f.count("select count(*) from quarantine where reason = 'unknown field "
                     "''device_info.os'' (input.unknown_fields = quarantine)'") == 1);
}

BOOST_AUTO_TEST_CASE(a_transaction_sent_twice_is_stored_and_learnt_once) {
  test::node_fixture f("rtad_tolerant_retry", 2);
  test::population people(20, 7, wall_clock() - 2 * 86400);
  test::producer p(f.settings.kafka.bootstrap);
  std::vector<transaction> last;
  for (int r = 0; r < 10; ++r) {
    last = people.round();
    for (const auto& t : last)
      p.send(f.topic, t.user_id, encode_transaction(t));
  }
  for (const auto& t : last) // the producer retries its last round
    p.send(f.topic, t.user_id, encode_transaction(t));
  p.flush();
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  node n(sys, f.settings);
  f.wait_for("select sum(next_offset) from kafka_offsets", 220, std::chrono::seconds(60));
  BOOST_TEST(n.stop(std::chrono::seconds(30)));
  BOOST_TEST(f.count("select count(*) from transactions") == 200);
  BOOST_TEST(f.count("select count(*) from quarantine") == 0);
  BOOST_TEST(n.metrics()->duplicates.load() == 20u);
  // Each user's profile took in its ten transactions, not eleven.
  BOOST_TEST(f.count("select count(*) from user_profiles") == 20);
  BOOST_TEST(f.count("select count(*) from user_profiles where history_size = 10") == 20);
}
