#define BOOST_TEST_MODULE a node restarted quickly moves no users
// With kafka.static_membership a node joins both consumer groups under its
// name (group.instance.id): stopped and started again within the session
// timeout, it gets its own partitions back and the other node never hands
// anything over. A dynamic member leaves the groups on stop, and the other
// node takes its partitions, then gives them back.
#include "support/cluster.hpp"
#include "support/node_fixture.hpp"
#include "support/process.hpp"
#include "support/stream.hpp"

#include <memory>

using namespace rtad;
using test::wall_clock;

namespace {

/// The partitions of the last "kafka_source assigned" line of a log.
std::string last_assignment(const std::string& path) {
  const std::string mark = "kafka_source assigned partitions=";
  auto line = test::last_line_with(path, mark);
  if (line.empty())
    return "";
  auto rest = line.substr(line.find(mark) + mark.size());
  return rest.substr(0, rest.find(' '));
}

/// What the last "repartitioner" line of a log says: "yes" when the node
/// holds the repartition lease, "no" when the group gave it to another, ""
/// before an assignment or after a revocation.
std::string lease(const std::string& path) {
  const std::string mark = "repartitioner assigned lease=";
  auto line = test::last_line_with(path, "repartitioner ");
  auto at = line.find(mark);
  if (at == std::string::npos)
    return "";
  auto rest = line.substr(at + mark.size());
  return rest.substr(0, rest.find(' '));
}

} // namespace

BOOST_AUTO_TEST_CASE(
  a_static_member_restarted_within_the_session_timeout_gets_its_partitions_back) {
  test::node_fixture f("rtad_static", 4);
  f.settings.kafka.key = config::input_key::check; // both stages, both groups
  test::population people(40, 17, wall_clock() - 7 * 86400);
  test::producer p(f.settings.kafka.bootstrap);
  // A session long enough for a slow machine to restart the node in it.
  const std::vector<std::string> extra{"--set", "kafka.static_membership=true", "--set",
                                       "kafka.session_timeout_ms=20000"};
  auto log_of = [&](const std::string& name) { return "/tmp/" + f.topic + "-" + name + ".log"; };
  auto alpha =
    std::make_unique<test::child>(test::node_args(f.settings, "alpha", extra), log_of("alpha"));
  auto bravo =
    std::make_unique<test::child>(test::node_args(f.settings, "bravo", extra), log_of("bravo"));
  BOOST_REQUIRE_MESSAGE(test::all_own_partitions({log_of("alpha"), log_of("bravo")}),
                        "the nodes did not share the partitions; see " << log_of("alpha"));
  long long sent = 0;
  auto send = [&](int rounds) {
    for (int r = 0; r < rounds; ++r)
      for (const auto& t : people.round()) {
        p.send_unkeyed(f.topic, encode_transaction(t));
        ++sent;
      }
    p.flush();
  };
  send(5);
  f.wait_for("select count(*) from transactions", sent);
  // The repartition group settles on its own: a member that joined first
  // is alone in it for a moment. Count hand-overs once both are in.
  BOOST_REQUIRE(test::eventually(
    [&] {
      auto a = lease(log_of("alpha")), b = lease(log_of("bravo"));
      return !a.empty() && !b.empty() && a != b;
    },
    std::chrono::seconds(30)));
  const auto owned = last_assignment(log_of("bravo"));
  const auto alpha_handovers = test::occurrences(log_of("alpha"), "revoked");

  bravo->signal(SIGTERM);
  BOOST_TEST(bravo->wait_exit(std::chrono::seconds(30)) == 0, "see " << log_of("bravo"));
  bravo = std::make_unique<test::child>(test::node_args(f.settings, "bravo", extra),
                                        log_of("bravo-again"));
  BOOST_REQUIRE_MESSAGE(
    test::eventually([&] { return test::owns_partitions(log_of("bravo-again")); },
                     std::chrono::seconds(30)),
    "bravo did not get partitions back; see " << log_of("bravo-again"));
  send(5);
  f.wait_for("select count(*) from transactions", sent);
  // Nothing moved: alpha never revoked anything, bravo has what it had.
  BOOST_TEST(test::occurrences(log_of("alpha"), "revoked") == alpha_handovers);
  BOOST_TEST(last_assignment(log_of("bravo-again")) == owned);
  for (auto* node : {alpha.get(), bravo.get()}) {
    node->signal(SIGTERM);
    BOOST_TEST(node->wait_exit(std::chrono::seconds(60)) == 0);
  }
  BOOST_TEST(f.count("select count(distinct transaction_id) from transactions") == sent);
  BOOST_TEST(f.count("select count(*) from transactions") == sent);
}
