#define BOOST_TEST_MODULE drain and the cluster view of the admin client
#include "support/cluster.hpp"
#include "support/node_fixture.hpp"
#include "support/process.hpp"
#include "support/stream.hpp"

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace rtad;

namespace {

struct admin_result {
  int code;
  std::string output;
};

/// Runs `rtad admin --secret s3cret ARGS` and returns its exit code and output.
admin_result admin(const test::node_fixture& f, std::vector<std::string> args,
                   const std::string& secret = "s3cret") {
  static int n = 0;
  auto log = "/tmp/" + f.topic + "-admin-" + std::to_string(n++) + ".out";
  std::vector<std::string> argv{RTAD_BINARY, "--set",    "pg.url=" + f.settings.pg.url,
                                "admin",     "--secret", secret};
  argv.insert(argv.end(), args.begin(), args.end());
  test::child c(argv, log);
  int code = c.wait_exit(std::chrono::seconds(150));
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  return {code, ss.str()};
}

nlohmann::json admin_json(const test::node_fixture& f, std::vector<std::string> args) {
  args.insert(args.begin(), "--json");
  auto r = admin(f, args);
  BOOST_REQUIRE_MESSAGE(r.code == 0, r.output);
  auto start = r.output.find_first_of("[{");
  BOOST_REQUIRE_MESSAGE(start != std::string::npos, r.output);
  return nlohmann::json::parse(r.output.substr(start));
}

/// The node whose partitions hold `user` in the view, from its stored rows.
std::string owner_of(const test::node_fixture& f, const std::string& user) {
  pqxx::connection c(f.db.url());
  pqxx::read_transaction r(c);
  auto row = r.exec_params("select s.node from node_status s where (select kafka_partition from"
                           " transactions where user_id = $1 limit 1) = any(s.partitions)"
                           " and s.state = 'running'",
                           user);
  return row.empty() ? "" : row[0][0].as<std::string>();
}

} // namespace

BOOST_AUTO_TEST_CASE(drain_hands_a_node_s_partitions_to_the_other_and_loses_nothing) {
  test::node_fixture f("rtad_drain", 4);
  auto base = 20000 + getpid() % 20000;
  std::map<std::string, std::string> endpoint{{"north", "127.0.0.1:" + std::to_string(base)},
                                              {"south", "127.0.0.1:" + std::to_string(base + 1)}};
  auto log_of = [&](const std::string& name) { return "/tmp/" + f.topic + "-" + name + ".log"; };
  std::map<std::string, std::unique_ptr<test::child>> nodes;
  for (const auto& [name, ep] : endpoint)
    nodes[name] = std::make_unique<test::child>(
      test::node_args(f.settings, name, test::admin_args(ep.substr(ep.find(':') + 1))),
      log_of(name));
  BOOST_REQUIRE_MESSAGE(test::all_own_partitions({log_of("north"), log_of("south")}),
                        "the nodes did not share the partitions; see " << log_of("north"));
  test::population people(20, 5);
  test::producer p(f.settings.kafka.bootstrap);
  long long sent = 0;
  auto send_rounds = [&](int rounds) {
    for (int r = 0; r < rounds; ++r) {
      for (const auto& t : people.round())
        p.send(f.topic, t.user_id, encode_transaction(t));
      sent += people.users();
    }
    p.flush();
  };
  send_rounds(40);
  f.wait_for("select count(*) from transactions", sent);

  // The client sees both nodes, running, reachable, with their partitions.
  f.wait_for("select count(*) from node_status where state = 'running'"
             " and cardinality(partitions) > 0",
             2, std::chrono::seconds(30));
  auto view = admin_json(f, {"cluster"});
  BOOST_REQUIRE_EQUAL(view.size(), 2u);
  for (const auto& n : view) {
    BOOST_TEST(n["state"] == "running");
    BOOST_TEST(n["reachable"] == true, n.dump());
    BOOST_TEST(!n["partitions"].get<std::string>().empty());
  }
  // A user is found on the node that owns its partition, whichever --node says.
  std::map<std::string, std::string> user_on;
  for (int u = 0; u < people.users() && user_on.size() < 2; ++u) {
    auto user = "user-" + std::to_string(u);
    user_on.emplace(owner_of(f, user), user);
  }
  BOOST_REQUIRE_EQUAL(user_on.size(), 2u);
  for (const auto& [node, user] : user_on) {
    auto info = admin_json(f, {"--node", endpoint["north"], "profile", user});
    BOOST_TEST(info["node"] == node, user << " answered by " << info["node"]);
    BOOST_TEST(info["history_size"].get<int>() == 40);
  }
  auto moving = user_on["north"];
  auto version_before = admin_json(f, {"profile", moving})["model_version"].get<long long>();

  // The last live node cannot be drained; two can. The stream goes on meanwhile.
  std::atomic<bool> producing{true};
  std::thread producer([&] {
    while (producing) {
      send_rounds(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  auto drained = admin_json(f, {"--node", endpoint["south"], "drain", "north"});
  BOOST_TEST(drained["node"] == "north");
  BOOST_TEST(drained["stopped"] == true);
  // The client returned once south held every partition.
  BOOST_TEST(drained["partitions_now"]["south"] == "0,1,2,3", drained.dump());
  BOOST_TEST(nodes["north"]->wait_exit(std::chrono::seconds(60)) == 0, "see " << log_of("north"));
  BOOST_TEST(test::occurrences(log_of("north"), "drain requested") == 1);
  BOOST_TEST(f.count("select cardinality(partitions) from node_status where node = 'south'") == 4);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  producing = false;
  producer.join();
  f.wait_for("select count(*) from transactions", sent);

  // The moved user is found on south now, restored from its checkpoint.
  auto after = admin_json(f, {"--node", endpoint["north"], "profile", moving});
  BOOST_TEST(after["node"] == "south");
  BOOST_TEST(after["model_version"].get<long long>() >= version_before);
  BOOST_TEST(after["history_size"].get<int>() > 40);
  view = admin_json(f, {"cluster"});
  for (const auto& n : view)
    BOOST_TEST(n["state"] == (n["node"] == "north" ? "stopped" : "running"));

  auto alone = admin(f, {"drain", "south"});
  BOOST_TEST(alone.code == 1);
  BOOST_TEST(alone.output.find("only live node") != std::string::npos, alone.output);
  auto unknown = admin(f, {"drain", "west"});
  BOOST_TEST(unknown.code == 1);
  BOOST_TEST(unknown.output.find("no live node named 'west'") != std::string::npos, unknown.output);
  BOOST_TEST(admin_json(f, {"shutdown", "south"})["stopped"] == true);
  BOOST_TEST(nodes["south"]->wait_exit(std::chrono::seconds(60)) == 0, "see " << log_of("south"));

  // Nothing lost or doubled across the hand-over.
  BOOST_TEST(f.count("select count(*) from transactions") == sent);
  BOOST_TEST(f.count("select count(distinct transaction_id) from transactions") == sent);
  BOOST_TEST(f.count("select sum(next_offset) from kafka_offsets") == sent);
  // With every node gone, a request for a user times out with a clear message.
  auto nobody = admin(f, {"--node", "127.0.0.1:1", "--timeout", "3", "profile", moving});
  BOOST_TEST(nobody.code == 1);
  BOOST_TEST(nobody.output.find("no rtad node answers for user " + moving + " within 3 s") !=
               std::string::npos,
             nobody.output);
}
