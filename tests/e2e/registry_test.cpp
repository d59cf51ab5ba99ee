#define BOOST_TEST_MODULE cluster membership through the registry
#include "support/cli.hpp"
#include "support/node_fixture.hpp"
#include "support/process.hpp"

#include <map>
#include <memory>
#include <nlohmann/json.hpp>

using namespace rtad;

namespace {

/// The members the node at `port` knows, by name -> state ("self", "alive",
/// "suspect"); empty when the node does not answer.
std::map<std::string, std::string> members_seen_by(const test::node_fixture& f, int port) {
  auto r = test::run_rtad("--set pg.url=" + f.settings.pg.url + " admin --node 127.0.0.1:" +
                          std::to_string(port) + " --secret s3cret --timeout 3 --json members");
  std::map<std::string, std::string> out;
  auto start = r.output.find('[');
  if (r.status != 0 || start == std::string::npos)
    return out;
  for (const auto& m : nlohmann::json::parse(r.output.substr(start)))
    out[m["node"].get<std::string>()] = m["state"].get<std::string>();
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(nodes_join_learn_of_each_other_leave_are_lost_and_rejoin) {
  test::node_fixture f("rtad_registry");
  const int base = 21000 + getpid() % 15000;
  const std::map<std::string, int> port{
    {"alpha", base}, {"bravo", base + 1}, {"charlie", base + 2}, {"mallory", base + 3}};
  auto log_of = [&](const std::string& name) { return "/tmp/" + f.topic + "-" + name + ".log"; };
  std::map<std::string, std::unique_ptr<test::child>> nodes;
  auto start = [&](const std::string& name, const std::string& join,
                   const std::string& secret = "s3cret") {
    auto args =
      test::node_args(f.settings, name, test::admin_args(std::to_string(port.at(name)), secret));
    if (!join.empty()) {
      args.push_back("--join");
      args.push_back("127.0.0.1:" + std::to_string(port.at(join)));
    }
    nodes[name] = std::make_unique<test::child>(args, log_of(name));
  };
  auto sees = [&](const std::string& who, const std::map<std::string, std::string>& expected) {
    return test::eventually([&] { return members_seen_by(f, port.at(who)) == expected; },
                            std::chrono::seconds(40));
  };

  // charlie joins through bravo only, and learns of alpha from it.
  start("alpha", "");
  start("bravo", "alpha");
  start("charlie", "bravo");
  BOOST_REQUIRE_MESSAGE(
    sees("alpha", {{"alpha", "self"}, {"bravo", "alive"}, {"charlie", "alive"}}),
    "alpha does not see the others; see " << log_of("alpha"));
  BOOST_TEST(sees("charlie", {{"alpha", "alive"}, {"bravo", "alive"}, {"charlie", "self"}}),
             "see " << log_of("charlie"));

  // Without the cluster's secret a node is refused and nobody lists it.
  start("mallory", "alpha", "guess");
  BOOST_TEST(
    test::eventually([&] { return test::occurrences(log_of("mallory"), "join refused") > 0; },
                     std::chrono::seconds(30)),
    "see " << log_of("mallory"));
  BOOST_TEST(members_seen_by(f, port.at("alpha")).count("mallory") == 0);
  nodes["mallory"]->signal(SIGTERM);
  nodes["mallory"]->wait_exit(std::chrono::seconds(60));

  // A clean stop says goodbye: gone at once, no timeout to wait for.
  nodes["charlie"]->signal(SIGTERM);
  BOOST_TEST(nodes["charlie"]->wait_exit(std::chrono::seconds(60)) == 0);
  BOOST_TEST(
    test::eventually([&] { return test::occurrences(log_of("alpha"), "member left") >= 1; },
                     std::chrono::seconds(3)),
    "see " << log_of("alpha"));
  BOOST_TEST(members_seen_by(f, port.at("alpha")).count("charlie") == 0);

  // A node that dies without a word is removed after the timeout, and not
  // handed back by the others.
  nodes["bravo"]->signal(SIGKILL);
  nodes["bravo"]->wait_exit(std::chrono::seconds(10));
  BOOST_TEST(sees("alpha", {{"alpha", "self"}}), "see " << log_of("alpha"));
  BOOST_TEST(test::occurrences(log_of("alpha"), "member lost") >= 1);

  // Restarted, it joins again.
  nodes.erase("bravo");
  start("bravo", "alpha");
  BOOST_TEST(sees("alpha", {{"alpha", "self"}, {"bravo", "alive"}}), "see " << log_of("bravo"));

  for (const auto* name : {"alpha", "bravo"}) {
    nodes[name]->signal(SIGTERM);
    BOOST_TEST(nodes[name]->wait_exit(std::chrono::seconds(60)) == 0,
               name << ": see " << log_of(name));
  }
}
