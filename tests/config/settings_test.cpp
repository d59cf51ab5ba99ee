#define BOOST_TEST_MODULE settings
#include "config/settings.hpp"

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>
#include <set>
#include <toml++/toml.h>

using namespace rtad::config;

namespace {

struct temp_file {
  std::string path;
  explicit temp_file(const std::string& text) {
    char name[] = "/tmp/rtad-settings-XXXXXX";
    int fd = mkstemp(name);
    BOOST_REQUIRE(fd >= 0);
    close(fd);
    path = name;
    std::ofstream(path) << text;
  }
  ~temp_file() { std::remove(path.c_str()); }
};

sources isolated() {
  sources s;
  s.read_process_environment = false;
  s.services_env = "";
  return s;
}

} // namespace

BOOST_AUTO_TEST_CASE(defaults_load_without_any_source) {
  auto s = load(isolated());
  BOOST_TEST(s.kafka.topic == "transactions");
  BOOST_TEST((s.node.mode == detection_mode::enhanced));
  BOOST_TEST(s.model.window == 256);
}

// The original system's producer sends no key: with nothing set, a node
// re-keys its input by user and scores the by-user topic (issue 16).
BOOST_AUTO_TEST_CASE(an_unkeyed_producer_needs_nothing_set) {
  auto s = load(isolated());
  BOOST_TEST((s.kafka.key == input_key::check));
  BOOST_TEST(scoring_topic(s) == "transactions.by-user");
  s.kafka.key = input_key::user; // a producer keyed by user saves the second stage
  BOOST_TEST(scoring_topic(s) == "transactions");
}

BOOST_AUTO_TEST_CASE(layers_apply_in_order_services_file_environment_command_line) {
  temp_file services("# written by scripts/services\nRTAD_KAFKA_BOOTSTRAP=10.0.0.1:1\n"
                     "RTAD_PG_URL=postgresql://a@h:1/db\nRTAD_KAFKA_TOPIC=from-services\n");
  temp_file file("[kafka]\ntopic = \"from-file\"\ngroup = \"file-group\"\n"
                 "[node]\nshards = 8\nmode = \"standard\"\n[sink]\nstore_all = false\n");
  auto src = isolated();
  src.services_env = services.path;
  src.file = file.path;
  src.environment = {{"RTAD_KAFKA_GROUP", "env-group"}, {"RTAD_NODE_SHARDS", "6"}};
  src.overrides = {{"node.shards", "3"}};
  auto s = load(src);
  BOOST_TEST(s.kafka.bootstrap == "10.0.0.1:1");   // services.env
  BOOST_TEST(s.pg.url == "postgresql://a@h:1/db"); // services.env
  BOOST_TEST(s.kafka.topic == "from-file");        // file beats services.env
  BOOST_TEST(s.kafka.group == "env-group");        // environment beats file
  BOOST_TEST(s.node.shards == 3);                  // command line beats environment
  BOOST_TEST((s.node.mode == detection_mode::standard));
  BOOST_TEST(s.sink.store_all == false);
}

BOOST_AUTO_TEST_CASE(kafka_properties_come_from_file_environment_and_command_line) {
  temp_file file(
    "[kafka]\ntopic = \"t\"\n[kafka.properties]\n\"security.protocol\" = \"SASL_SSL\"\n"
    "\"sasl.mechanism\" = \"SCRAM-SHA-256\"\n");
  auto src = isolated();
  src.file = file.path;
  src.environment = {{"RTAD_KAFKA_PROPERTY_SASL_USERNAME", "fraud-team"},
                     {"RTAD_KAFKA_PROPERTY_SASL_MECHANISM", "PLAIN"}};
  src.overrides = {{"kafka.properties.client.id", "rtad-eu"}};
  auto s = load(src);
  BOOST_TEST(s.kafka.properties.at("security.protocol") == "SASL_SSL");
  BOOST_TEST(s.kafka.properties.at("sasl.mechanism") == "PLAIN"); // environment beats file
  BOOST_TEST(s.kafka.properties.at("sasl.username") == "fraud-team");
  BOOST_TEST(s.kafka.properties.at("client.id") == "rtad-eu");
  BOOST_TEST(get(s, "kafka.properties.client.id") == "rtad-eu");
  BOOST_TEST(s.kafka.properties.size() == 4u);
  // What exactly-once rests on stays rtad's.
  src.overrides = {{"kafka.properties.isolation.level", "read_uncommitted"}};
  BOOST_CHECK_THROW(load(src), config_error);
}

BOOST_AUTO_TEST_CASE(bad_values_name_the_key_and_the_layer) {
  auto src = isolated();
  src.environment = {{"RTAD_NODE_SHARDS", "many"}};
  try {
    load(src);
    BOOST_FAIL("expected a config_error");
  } catch (const config_error& e) {
    BOOST_TEST(std::string(e.what()) ==
               "environment RTAD_NODE_SHARDS: node.shards = 'many': not an integer");
  }
  src.environment = {};
  src.overrides = {{"node.mode", "turbo"}};
  BOOST_CHECK_THROW(load(src), config_error);
  src.overrides = {{"no.such", "1"}};
  BOOST_CHECK_THROW(load(src), config_error);
  src.overrides = {{"model.threshold_floor", "1.5"}};
  BOOST_CHECK_THROW(load(src), config_error);
}

BOOST_AUTO_TEST_CASE(inconsistent_values_are_refused) {
  auto src = isolated();
  src.overrides = {{"model.window", "32"}, {"model.user_sample_size", "64"}};
  BOOST_CHECK_THROW(load(src), config_error);
  src.overrides = {{"pg.url", "localhost"}};
  BOOST_CHECK_THROW(load(src), config_error);
}

BOOST_AUTO_TEST_CASE(max_future_s_comes_from_file_environment_or_command_line_within_bounds) {
  BOOST_TEST(load(isolated()).input.max_future_s == 86400);
  temp_file file("[input]\nmax_future_s = 600\n");
  auto src = isolated();
  src.file = file.path;
  BOOST_TEST(load(src).input.max_future_s == 600);
  src.environment = {{"RTAD_INPUT_MAX_FUTURE_S", "3600"}};
  BOOST_TEST(load(src).input.max_future_s == 3600);
  src.overrides = {{"input.max_future_s", "0"}};
  BOOST_TEST(load(src).input.max_future_s == 0);
  // Negative would refuse every live message; months ahead is no clock skew.
  for (const auto* bad : {"-1", "2592001", "soon"}) {
    src.overrides = {{"input.max_future_s", bad}};
    BOOST_CHECK_THROW(load(src), config_error);
  }
}

BOOST_AUTO_TEST_CASE(the_output_topics_follow_the_input_topic_or_are_off_when_empty) {
  auto src = isolated();
  src.overrides = {{"kafka.topic", "payments"}};
  BOOST_TEST(anomalies_topic(load(src)) == "payments.anomalies");
  src.overrides.push_back({"output.anomalies_topic", "{topic}-alerts-{topic}"});
  BOOST_TEST(anomalies_topic(load(src)) == "payments-alerts-payments");
  src.overrides.back().second = "";
  BOOST_TEST(anomalies_topic(load(src)).empty());
  // Publishing into the topic rtad reads would score its own anomalies.
  src.overrides.back().second = "{topic}";
  BOOST_CHECK_THROW(load(src), config_error);
  // The dead-letter topic is off unless named, and apart from the others.
  src.overrides = {{"kafka.topic", "payments"}};
  BOOST_TEST(quarantine_topic(load(src)).empty());
  src.overrides.push_back({"output.quarantine_topic", "{topic}.dlq"});
  BOOST_TEST(quarantine_topic(load(src)) == "payments.dlq");
  src.overrides.back().second = "{topic}.anomalies";
  BOOST_CHECK_THROW(load(src), config_error);
}

BOOST_AUTO_TEST_CASE(join_takes_admin_endpoints_and_needs_the_admin_actor) {
  auto src = isolated();
  src.overrides = {{"node.join", "10.0.0.5:4242, node-b:4243"}};
  BOOST_TEST(join_endpoints(load(src)) ==
             (std::vector<std::string>{"10.0.0.5:4242", "node-b:4243"}));
  for (const auto* bad : {"node-b", "node-b:", ":4242", "node-b:99999", "node-b:42x"}) {
    src.overrides = {{"node.join", bad}};
    try {
      load(src);
      BOOST_FAIL("expected a config_error for " << bad);
    } catch (const config_error& e) {
      BOOST_TEST(std::string(e.what()).find("is not HOST:PORT") != std::string::npos, e.what());
    }
  }
  src.overrides = {{"node.join", "node-b:4242"}, {"node.admin_port", "0"}};
  BOOST_CHECK_THROW(load(src), config_error);
}

BOOST_AUTO_TEST_CASE(admin_tls_takes_every_file_or_none) {
  auto src = isolated();
  BOOST_TEST(!load(src).admin.tls());
  src.overrides = {{"admin.tls_certificate", "n.pem"}, {"admin.tls_cafile", "ca.pem"}};
  try {
    load(src);
    BOOST_FAIL("expected a config_error");
  } catch (const config_error& e) {
    BOOST_TEST(std::string(e.what()).find("missing: admin.tls_key") != std::string::npos, e.what());
  }
  src.overrides = {{"admin.tls_passphrase", "x"}};
  BOOST_CHECK_THROW(load(src), config_error);
  src.overrides = {
    {"admin.tls_certificate", "n.pem"}, {"admin.tls_key", "n.key"}, {"admin.tls_cafile", "ca.pem"}};
  BOOST_TEST(load(src).admin.tls());
}

BOOST_AUTO_TEST_CASE(a_file_with_a_typo_says_where) {
  temp_file file("[kafka]\ntopic = \n");
  auto src = isolated();
  src.file = file.path;
  try {
    load(src);
    BOOST_FAIL("expected a config_error");
  } catch (const config_error& e) {
    BOOST_TEST(std::string(e.what()).find(file.path + ":2:") == 0u);
  }
}

BOOST_AUTO_TEST_CASE(the_example_config_documents_every_key_with_its_default) {
  auto example = toml::parse_file(RTAD_EXAMPLE_CONFIG);
  std::set<std::string> documented;
  for (const auto& [section, table] : example)
    for (const auto& [name, value] : *table.as_table())
      documented.insert(std::string(section.str()) + "." + std::string(name.str()));
  settings defaults;
  for (const auto& k : keys()) {
    BOOST_TEST_CONTEXT(k.key) {
      BOOST_TEST(documented.count(k.key) == 1u);
      BOOST_TEST(k.env.rfind("RTAD_", 0) == 0u);
    }
  }
  BOOST_TEST(documented.size() == keys().size());
  // Loading the example changes nothing: it holds the defaults.
  auto src = isolated();
  src.file = RTAD_EXAMPLE_CONFIG;
  auto s = load(src);
  for (const auto& k : keys())
    BOOST_TEST(get(s, k.key) == get(defaults, k.key));
}
