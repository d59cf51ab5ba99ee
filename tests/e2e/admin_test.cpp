#define BOOST_TEST_MODULE rtad admin
#include "support/node_fixture.hpp"
#include "support/process.hpp"
#include "support/stream.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace rtad;

namespace {

struct admin_result {
  int code;
  std::string output;
};

/// Runs `rtad admin ...` and returns its exit code and output.
admin_result admin(const test::node_fixture& f, std::vector<std::string> args) {
  static int n = 0;
  auto log = "/tmp/" + f.topic + "-admin-" + std::to_string(n++) + ".out";
  std::vector<std::string> argv{RTAD_BINARY, "--set", "pg.url=" + f.settings.pg.url, "admin"};
  argv.insert(argv.end(), args.begin(), args.end());
  test::child c(argv, log);
  int code = c.wait_exit(std::chrono::seconds(60));
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  return {code, ss.str()};
}

nlohmann::json admin_json(const test::node_fixture& f, const std::string& endpoint,
                          std::vector<std::string> args) {
  std::vector<std::string> a{"--node", endpoint, "--secret", "s3cret", "--json"};
  a.insert(a.end(), args.begin(), args.end());
  auto r = admin(f, a);
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.output);
  return nlohmann::json::parse(r.output.substr(r.output.find('{')));
}

} // namespace

BOOST_AUTO_TEST_CASE(an_operator_inspects_freezes_retrains_and_stops_a_node) {
  test::node_fixture f("rtad_admin");
  auto port = std::to_string(20000 + getpid() % 20000);
  auto endpoint = "127.0.0.1:" + port;
  auto log = "/tmp/" + f.topic + ".log";
  test::child node(test::node_args(f.settings, "operated", test::admin_args(port)), log);
  test::producer p(f.settings.kafka.bootstrap);
  test::population people(10, 4);
  auto send_rounds = [&](int rounds) {
    for (int r = 0; r < rounds; ++r)
      for (const auto& t : people.round())
        p.send(f.topic, t.user_id, encode_transaction(t));
    p.flush();
  };
  send_rounds(60);
  f.wait_for("select count(*) from transactions", 600);

  auto status = admin_json(f, endpoint, {"status"});
  BOOST_TEST(status["node"] == "operated");
  BOOST_TEST(status["active_profiles"].get<int>() == 10);

  auto before = admin_json(f, endpoint, {"profile", "user-3"});
  BOOST_TEST(before["history_size"].get<int>() == 60);
  BOOST_TEST(before["recent_scores"].size() == 20u);
  admin_json(f, endpoint, {"freeze", "user-3"});
  send_rounds(40);
  f.wait_for("select count(*) from transactions", 1000);
  auto frozen = admin_json(f, endpoint, {"profile", "user-3"});
  BOOST_TEST(frozen["frozen"].get<bool>());
  BOOST_TEST(frozen["model_version"] == before["model_version"]); // learned nothing
  BOOST_TEST(frozen["history_size"] == before["history_size"]);
  BOOST_TEST(admin_json(f, endpoint, {"retrain", "user-3"})["retrained"].get<bool>());
  auto retrained = admin_json(f, endpoint, {"profile", "user-3"});
  BOOST_TEST(retrained["model_version"].get<int>() == before["model_version"].get<int>() + 1);
  admin_json(f, endpoint, {"threshold", "user-3", "0.9"});
  BOOST_TEST(admin_json(f, endpoint, {"profile", "user-3"})["threshold"].get<double>() == 0.9);

  // Without the secret, or with another, nothing happens and the reason is given.
  auto wrong = admin(f, {"--node", endpoint, "--secret", "guess", "status"});
  BOOST_TEST(wrong.code == 1);
  // The node's own sentence (rtad's error category), not a CAF error code.
  BOOST_TEST(wrong.output.find("rtad: admin refused: wrong secret\n") != std::string::npos,
             wrong.output);
  auto none = admin(f, {"--node", endpoint, "freeze", "user-4"});
  BOOST_TEST(none.code == 1);
  BOOST_TEST(none.output.find("admin refused") != std::string::npos, none.output);
  // A port where no rtad listens: a clear message, not a hang.
  auto nobody = admin(f, {"--node", "127.0.0.1:1", "--timeout", "2", "status"});
  BOOST_TEST(nobody.code == 1);
  BOOST_TEST(nobody.output.find("no rtad node answers at 127.0.0.1:1") != std::string::npos,
             nobody.output);

  auto cluster = admin(f, {"--json", "cluster"});
  BOOST_TEST(cluster.code == 0);
  BOOST_TEST(cluster.output.find("\"operated\"") != std::string::npos);
  admin_json(f, endpoint, {"shutdown"});
  BOOST_TEST(node.wait_exit(std::chrono::seconds(60)) == 0, "see " << log);
  BOOST_TEST(
    f.count("select count(*) from node_status where node = 'operated' and state = 'stopped'") == 1);
}

BOOST_AUTO_TEST_CASE(db_stats_reports_what_the_database_holds) {
  test::node_fixture f("rtad_stats");
  {
    pqxx::connection c(f.db.url());
    pqxx::work w(c);
    w.exec("select rtad_ensure_partitions('2026-01-01', '2026-01-01')");
    w.exec(
      "insert into transactions (transaction_id, timestamp, user_id, amount, currency, location,"
      " transaction_type, score, threshold, is_anomaly, model_used, ground_truth) values"
      " ('a', '2026-01-01', 'u', 1, 'EUR', 'DE', 'purchase', 0.9, 0.6, true, 'user', true),"
      " ('b', '2026-01-01', 'u', 1, 'EUR', 'DE', 'purchase', 0.7, 0.6, true, 'user', false),"
      " ('c', '2026-01-01', 'u', 1, 'EUR', 'DE', 'purchase', 0.2, 0.6, false, 'user', true),"
      " ('d', '2026-01-01', 'u', 1, 'EUR', 'DE', 'purchase', 0.1, 0.6, false, 'user', false)");
    w.exec("insert into quarantine (topic, kafka_partition, kafka_offset, raw, reason) values"
           " ('t', 0, 1, 'x', 'not valid JSON')");
    w.commit();
  }
  auto log = "/tmp/" + f.topic + "-stats.out";
  test::child c({RTAD_BINARY, "--set", "pg.url=" + f.settings.pg.url, "db", "stats", "--json"},
                log);
  BOOST_REQUIRE(c.wait_exit(std::chrono::seconds(30)) == 0);
  std::ifstream in(log);
  auto j = nlohmann::json::parse(in);
  BOOST_TEST(j["transactions"].get<int>() == 4);
  BOOST_TEST(j["quarantined"].get<int>() == 1);
  BOOST_TEST(j["ground_truth"]["precision"].get<double>() == 0.5);
  BOOST_TEST(j["ground_truth"]["recall"].get<double>() == 0.5);
}
