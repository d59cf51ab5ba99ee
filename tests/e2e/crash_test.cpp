#define BOOST_TEST_MODULE node killed at random moments
#include "support/node_fixture.hpp"
#include "support/process.hpp"
#include "support/stream.hpp"

#include <atomic>
#include <random>

using namespace rtad;

BOOST_AUTO_TEST_CASE(kill_9_at_random_moments_loses_and_doubles_nothing) {
  test::node_fixture f("rtad_crash");
  test::population people(80, 11);
  // The stream keeps flowing while the node dies and comes back.
  std::atomic<long long> sent{0};
  std::atomic<bool> producing{true};
  std::thread producer([&] {
    test::producer p(f.settings.kafka.bootstrap);
    for (int r = 0; r < 100; ++r) {
      for (const auto& t : people.round())
        p.send(f.topic, t.user_id, encode_transaction(t));
      auto t = people.takeover(r % people.users());
      p.send(f.topic, t.user_id, encode_transaction(t));
      sent += people.users() + 1;
      if (r % 10 == 9)
        p.flush();
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    p.flush();
    producing = false;
  });
  std::mt19937 gen(42);
  std::uniform_int_distribution<int> life_ms(0, 1500);
  auto log = std::string("/tmp/") + f.topic + ".log";
  int kills = 0;
  for (; kills < 4 && producing; ++kills) {
    test::child node(test::node_args(f.settings, "crashy"), log);
    // Kill while it works: after it got its partitions (the dead predecessor
    // must first time out of the group), at a random moment.
    BOOST_REQUIRE(
      test::eventually([&] { return test::occurrences(log, "kafka_source assigned") > kills; },
                       std::chrono::seconds(30)));
    std::this_thread::sleep_for(std::chrono::milliseconds(life_ms(gen)));
    BOOST_REQUIRE_MESSAGE(node.running(), "the node died on its own; see " + log);
    node.signal(SIGKILL);
    BOOST_TEST(node.wait_exit(std::chrono::seconds(10)) == -SIGKILL);
  }
  producer.join();
  const long long total = sent;
  test::child node(test::node_args(f.settings, "crashy"), log);
  f.wait_for("select count(*) from transactions", total, std::chrono::seconds(120));
  node.signal(SIGTERM);
  BOOST_TEST(node.wait_exit(std::chrono::seconds(60)) == 0);

  f.expect_exactly_once(total);
  // Restored profiles kept learning: versions grew across the crashes.
  BOOST_TEST(f.count("select count(*) from user_profiles") == people.users());
  BOOST_TEST(f.count("select min(model_version) from user_profiles") > 1);
  BOOST_TEST(kills >= 3);
  BOOST_TEST_MESSAGE(kills << " kills; node log in " << log);
}
