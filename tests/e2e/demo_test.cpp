#define BOOST_TEST_MODULE rtad demo
#include "support/node_fixture.hpp"
#include "support/process.hpp"

using namespace rtad;

BOOST_AUTO_TEST_CASE(the_demo_runs_end_to_end_on_an_embedded_broker_and_stops_cleanly) {
  test::scratch_db db("rtad_demo");
  auto log = "/tmp/" + db.name() + ".log";
  test::child demo({RTAD_BINARY, "--set", "pg.url=" + db.url(), "--set", "kafka.topic=demo",
                    "--set", "node.metrics_port=0", "--set", "node.admin_port=0", "demo",
                    "--embedded-kafka", "--no-dashboard", "--duration", "12", "--users", "200",
                    "--rate", "300"},
                   log);
  BOOST_TEST(demo.wait_exit(std::chrono::seconds(90)) == 0, "see " << log);
  pqxx::connection c(db.url());
  pqxx::read_transaction r(c);
  auto stored = r.exec("select count(*) from transactions")[0][0].as<long long>();
  BOOST_TEST(stored > 1000, stored << " transactions stored");
  BOOST_TEST(
    test::occurrences(log, "using an embedded broker") + test::occurrences(log, "Kafka ") >= 1);
  BOOST_TEST(r.exec("select count(*) from node_status where state = 'stopped'")[0][0].as<int>() ==
             1);
}

// The demo probes the configured broker as its clients will connect
// (kafka.properties: SASL, SSL). It once probed as a plain client: a broker
// that answered that but refused SASL was taken, and nothing was scored.
// Refused, the demo uses its embedded broker, which speaks plain Kafka.
BOOST_AUTO_TEST_CASE(a_broker_that_refuses_the_configured_sasl_is_replaced_by_the_embedded_one) {
  test::scratch_db db("rtad_demo_sasl");
  auto log = "/tmp/" + db.name() + ".log";
  test::child demo({RTAD_BINARY,
                    "--set",
                    "pg.url=" + db.url(),
                    "--set",
                    "kafka.bootstrap=" + test::service_settings().kafka.bootstrap,
                    "--set",
                    "kafka.topic=demo",
                    "--set",
                    "kafka.properties.security.protocol=sasl_plaintext",
                    "--set",
                    "kafka.properties.sasl.mechanism=PLAIN",
                    "--set",
                    "kafka.properties.sasl.username=rtad",
                    "--set",
                    "kafka.properties.sasl.password=secret",
                    "--set",
                    "node.metrics_port=0",
                    "--set",
                    "node.admin_port=0",
                    "demo",
                    "--no-dashboard",
                    "--duration",
                    "10",
                    "--users",
                    "200",
                    "--rate",
                    "300"},
                   log);
  BOOST_TEST(demo.wait_exit(std::chrono::seconds(90)) == 0, "see " << log);
  BOOST_TEST(test::occurrences(log, "using an embedded broker") == 1, "see " << log);
  pqxx::connection c(db.url());
  pqxx::read_transaction r(c);
  auto stored = r.exec("select count(*) from transactions")[0][0].as<long long>();
  BOOST_TEST(stored > 1000, stored << " transactions stored; see " << log);
}
