#define BOOST_TEST_MODULE PostgreSQL outage
#include "support/node_fixture.hpp"
#include "support/process.hpp"
#include "support/stream.hpp"

#include <atomic>
#include <cstdlib>

using namespace rtad;

namespace {

int services(const std::string& verb) {
  auto cmd = std::string(RTAD_SOURCE_DIR) + "/scripts/services " + verb + " pg >/dev/null 2>&1";
  return std::system(cmd.c_str());
}

/// Brings PostgreSQL back whatever happens in the test.
struct restart_guard {
  ~restart_guard() { services("start"); }
};

} // namespace

BOOST_AUTO_TEST_CASE(postgres_away_mid_stream_loses_nothing_and_memory_stays_bounded) {
  test::node_fixture f("rtad_outage");
  test::population people(50, 5);
  auto log = std::string("/tmp/") + f.topic + ".log";
  test::child node(test::node_args(f.settings, "patient", {"--set", "kafka.credits=2000"}), log);
  test::producer p(f.settings.kafka.bootstrap);
  long long sent = 0;
  auto produce_rounds = [&](int rounds) { sent += f.send_rounds(p, people, rounds); };
  produce_rounds(20);
  f.wait_for("select count(*) from transactions", sent);
  long baseline_kib = node.rss_kib();
  long peak_kib = baseline_kib;
  {
    restart_guard guard;
    BOOST_REQUIRE(services("stop") == 0);
    produce_rounds(200); // 10,000 transactions arrive while the database is away
    for (int i = 0; i < 40; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      BOOST_REQUIRE_MESSAGE(node.running(), "the node died without its database; see " + log);
      peak_kib = std::max(peak_kib, node.rss_kib());
    }
    BOOST_REQUIRE(services("start") == 0);
  }
  f.wait_for("select count(*) from transactions", sent, std::chrono::seconds(120));
  node.signal(SIGTERM);
  BOOST_TEST(node.wait_exit(std::chrono::seconds(60)) == 0);
  BOOST_TEST(f.count("select count(*) from transactions") == sent);
  BOOST_TEST(f.count("select count(distinct transaction_id) from transactions") == sent);
  BOOST_TEST(f.count("select sum(next_offset) from kafka_offsets") == sent);
  BOOST_TEST_MESSAGE("RSS before the outage " << baseline_kib << " KiB, peak " << peak_kib
                                              << " KiB");
  // Credit (2,000 in flight) bounds what waits in memory, not the stream's length.
  BOOST_TEST(peak_kib - baseline_kib < 64 * 1024);
}

BOOST_AUTO_TEST_CASE(sigterm_while_postgres_is_away_ends_the_node_within_its_shutdown_timeout) {
  // Before node.shutdown_timeout_s, the hand-over waited for ever for a
  // commit that could not happen, and SIGTERM needed a kill -9.
  test::node_fixture f("rtad_outage_sigterm");
  test::population people(50, 6);
  auto log = std::string("/tmp/") + f.topic + ".log";
  test::child node(test::node_args(f.settings, "stuck", {"--set", "node.shutdown_timeout_s=5"}),
                   log);
  test::producer p(f.settings.kafka.bootstrap);
  long long sent = 0;
  auto produce_rounds = [&](int rounds) { sent += f.send_rounds(p, people, rounds); };
  produce_rounds(10);
  f.wait_for("select count(*) from transactions", sent);
  {
    restart_guard guard;
    BOOST_REQUIRE(services("stop") == 0);
    produce_rounds(10); // cannot be committed
    std::this_thread::sleep_for(std::chrono::seconds(2));
    auto asked = std::chrono::steady_clock::now();
    node.signal(SIGTERM);
    BOOST_TEST(node.wait_exit(std::chrono::seconds(30)) == 3); // overran, and says so
    auto took_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - asked)
                     .count();
    BOOST_TEST(took_ms < 10000); // 5 s and the time to notice
    BOOST_REQUIRE(services("start") == 0);
  }
  // What it could not commit is read again by the next owner.
  test::child next(test::node_args(f.settings, "next"), log + ".next");
  f.wait_for("select count(*) from transactions", sent, std::chrono::seconds(120));
  next.signal(SIGTERM);
  BOOST_TEST(next.wait_exit(std::chrono::seconds(60)) == 0);
  f.expect_exactly_once(sent);
}

BOOST_AUTO_TEST_CASE(large_messages_while_postgres_is_away_stay_within_the_byte_credit) {
  // 300 messages of 900 KB, each quarantined (a merchant name far over the
  // limit), so each keeps its bytes until PostgreSQL takes them. Counted in
  // messages alone (2,000 credits), all 270 MB of them waited in memory.
  test::node_fixture f("rtad_outage_bytes");
  test::population people(20, 8);
  auto log = std::string("/tmp/") + f.topic + ".log";
  test::child node(
    test::node_args(f.settings, "bytes",
                    {"--set", "kafka.credits=2000", "--set", "kafka.credit_bytes=33554432"}),
    log);
  test::producer p(f.settings.kafka.bootstrap);
  auto good = f.send_rounds(p, people);
  long long large = 0;
  f.wait_for("select count(*) from transactions", good);
  long baseline_kib = node.rss_kib();
  long peak_kib = baseline_kib;
  {
    restart_guard guard;
    BOOST_REQUIRE(services("stop") == 0);
    for (int i = 0; i < 300; ++i) {
      auto t = people.round().front();
      t.merchant_name = std::string(900 * 1024, 'x');
      p.send(f.topic, t.user_id, encode_transaction(t));
      ++large;
      if (i % 20 == 0) {
        p.flush();
        peak_kib = std::max(peak_kib, node.rss_kib());
      }
    }
    p.flush();
    for (int i = 0; i < 50; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      BOOST_REQUIRE_MESSAGE(node.running(), "the node died without its database; see " + log);
      peak_kib = std::max(peak_kib, node.rss_kib());
    }
    BOOST_REQUIRE(services("start") == 0);
  }
  f.wait_for("select count(*) from quarantine", large, std::chrono::seconds(120));
  node.signal(SIGTERM);
  BOOST_TEST(node.wait_exit(std::chrono::seconds(60)) == 0);
  BOOST_TEST(f.count("select count(*) from quarantine where reason like '%longer than%'") == large);
  BOOST_TEST_MESSAGE("RSS before " << baseline_kib << " KiB, peak " << peak_kib << " KiB");
  // 32 MiB of messages in flight, each held about twice (the message and
  // its quarantine entry), and librdkafka's prefetch: well under 270 MB.
  BOOST_TEST(peak_kib - baseline_kib < 150 * 1024);
}
