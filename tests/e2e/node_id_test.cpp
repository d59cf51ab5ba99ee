#define BOOST_TEST_MODULE one node per node id
#include "support/cluster.hpp"
#include "support/node_fixture.hpp"
#include "support/process.hpp"

#include <fstream>
#include <sstream>

using namespace rtad;
using test::read_all;

BOOST_AUTO_TEST_CASE(a_second_node_with_a_taken_id_exits_and_a_killed_node_frees_its_id) {
  test::node_fixture f("rtad_node_id");
  auto log = "/tmp/" + f.topic + "-twin.log";
  test::child first(test::node_args(f.settings, "twin"), log);
  BOOST_REQUIRE_MESSAGE(
    test::eventually([&] { return test::owns_partitions(log); }, std::chrono::seconds(60)),
    "the first node did not start; see " << log);

  // The second refuses to run before it joins the group, and says why.
  auto second_log = "/tmp/" + f.topic + "-twin2.log";
  test::child second(test::node_args(f.settings, "twin"), second_log);
  BOOST_TEST(second.wait_exit(std::chrono::seconds(60)) == 1);
  auto said = read_all(second_log);
  BOOST_TEST(said.find("node id 'twin' is in use") != std::string::npos, said);
  BOOST_TEST(said.find("kafka_source") == std::string::npos, "it joined the group: " << said);
  // The first goes on undisturbed, keeping its partitions.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  BOOST_TEST(first.running());
  BOOST_TEST(test::owns_partitions(log));

  // kill -9 frees the id at once: a restart under it runs (a heartbeat row
  // would have kept it out until the row went stale).
  first.signal(SIGKILL);
  BOOST_TEST(first.wait_exit(std::chrono::seconds(10)) == -SIGKILL);
  auto third_log = "/tmp/" + f.topic + "-twin3.log";
  test::child third(test::node_args(f.settings, "twin"), third_log);
  BOOST_REQUIRE_MESSAGE(
    test::eventually([&] { return test::owns_partitions(third_log); }, std::chrono::seconds(60)),
    "the restart did not run; see " << third_log);
  BOOST_TEST(read_all(third_log).find("is in use") == std::string::npos);
  // Other ids are not affected.
  auto other_log = "/tmp/" + f.topic + "-other.log";
  test::child other(test::node_args(f.settings, "other"), other_log);
  BOOST_TEST(test::eventually([&] { return test::occurrences(other_log, "node started") > 0; },
                              std::chrono::seconds(30)),
             "see " << other_log);
  BOOST_TEST(other.running());
  other.signal(SIGTERM);
  third.signal(SIGTERM);
  BOOST_TEST(other.wait_exit(std::chrono::seconds(60)) == 0);
  BOOST_TEST(third.wait_exit(std::chrono::seconds(60)) == 0);
}
