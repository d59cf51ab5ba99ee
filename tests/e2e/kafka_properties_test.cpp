#define BOOST_TEST_MODULE kafka.properties reach every Kafka client
// A secured broker needs librdkafka properties (SASL, SSL) rtad does not set
// itself: kafka.properties.<name> passes them to every client it makes.
// Before, `--set kafka.properties.x=...` was an unknown setting.
#include "support/cli.hpp"
#include "support/cluster.hpp"
#include "support/node_fixture.hpp"
#include "support/process.hpp"

#include <thread>

using namespace rtad;

namespace {

/// The node's settings as command-line flags, with `extra` after them.
std::string flags(const test::node_fixture& f, const std::string& extra) {
  return "--set pg.url=" + f.settings.pg.url +
         " --set kafka.bootstrap=" + f.settings.kafka.bootstrap + " --set kafka.topic=" + f.topic +
         " " + extra;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_property_librdkafka_does_not_know_stops_the_node_at_start_naming_it) {
  test::node_fixture f("rtad_props_node", 2);
  // Before anything else: PostgreSQL unreachable here does not hide it.
  auto r = test::run_rtad(flags(f, "--set kafka.properties.no.such.thing=1") +
                          " --set pg.url=postgresql://nobody@127.0.0.1:1/none"
                          " --set node.metrics_port=0 --set node.admin_port=0 node --name props");
  BOOST_TEST(r.status == 2, r.output); // a configuration error
  BOOST_TEST(r.output.find("kafka.properties.no.such.thing") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(the_producer_uses_them) {
  test::node_fixture f("rtad_props_produce", 2);
  // Plain TCP as the broker speaks: delivered.
  auto plain =
    test::run_rtad(flags(f, "produce -n 20 -q --kafka-property message.timeout.ms=8000"));
  BOOST_TEST(plain.status == 0, plain.output);
  // TLS towards a plaintext listener: the same command cannot reach it.
  auto tls = test::run_rtad(flags(f, "--set kafka.properties.security.protocol=ssl produce -n 20 -q"
                                     " --kafka-property message.timeout.ms=8000"));
  BOOST_TEST(tls.status != 0, tls.output);
}

BOOST_AUTO_TEST_CASE(properties_rtad_decides_itself_are_refused) {
  auto r = test::run_rtad("--set kafka.properties.enable.auto.commit=true config show");
  BOOST_TEST(r.status != 0);
  BOOST_TEST(r.output.find("rtad sets enable.auto.commit itself") != std::string::npos, r.output);
}

// Every client a node makes (both stages' consumers, the repartitioner's
// transactional producer, the outbox publishers, the admin handles) takes
// them: each names itself by the client.id given, as librdkafka's own log
// lines (through rtad's log) show.
BOOST_AUTO_TEST_CASE(every_client_of_a_node_uses_them) {
  test::node_fixture f("rtad_props_clients", 2);
  f.settings.kafka.key = config::input_key::check; // the repartition stage too
  auto log = "/tmp/" + f.topic + "-props.log";
  test::child node(test::node_args(f.settings, "props",
                                   {"--set", "kafka.properties.client.id=propcheck", "--set",
                                    "kafka.properties.debug=broker", "--set", "log.level=debug"}),
                   log);
  BOOST_REQUIRE(test::all_own_partitions({log}));
  std::this_thread::sleep_for(std::chrono::seconds(3)); // the publishers' first connections
  node.signal(SIGTERM);
  BOOST_TEST(node.wait_exit(std::chrono::seconds(60)) == 0, "see " << log);
  BOOST_TEST(test::occurrences(log, "client=propcheck#consumer") > 0, "see " << log);
  BOOST_TEST(test::occurrences(log, "client=propcheck#producer") > 0, "see " << log);
  BOOST_TEST(test::occurrences(log, "client=rdkafka#") == 0, "a client without them; see " << log);
}
