#pragma once
// Settings for a node under test: its own topic, consumer group and database.

#include "db/migrate.hpp"
#include "support/kafka.hpp"
#include "support/scratch_db.hpp"
#include "support/services.hpp"
#include "support/stream.hpp"

#include <chrono>
#include <functional>
#include <pqxx/pqxx>
#include <thread>

namespace rtad::test {

/// A topic, a group and a migrated scratch database of its own.
struct node_fixture {
  scratch_db db;
  config::settings settings;
  std::string topic;

  explicit node_fixture(const std::string& name, int partitions = 4)
      : db(name), settings(service_settings()), topic(unique_name(name)) {
    settings.pg.url = db.url();
    settings.kafka.topic = topic;
    settings.kafka.group = topic + "-group";
    settings.node.name = name;
    settings.sink.flush_interval_ms = 50;
    settings.sink.batch_rows = 500;
    // test::population lives in January 2026, and retention counts days
    // back from today: keep every day a test writes.
    settings.sink.retention_days = 36500;
    settings.node.metrics_port = 0;
    settings.node.admin_port = 0;
    settings.kafka.session_timeout_ms = 6000; // the broker's minimum: fast hand-over after a kill
    // Tests send keyed by user and count the scoring stage's offsets and
    // partitions: they read the topic directly. Those of the repartition
    // stage (the default, auto) ask for it.
    settings.kafka.key = config::input_key::user;
    create_topic(settings.kafka.bootstrap, topic, partitions);
    pqxx::connection c(db.url());
    db::migrate(c);
  }

  /// Sends `rounds` rounds of `people` to the topic, each keyed by its
  /// user, and flushes; how many transactions that is.
  long long send_rounds(producer& p, population& people, int rounds = 1) const {
    long long n = 0;
    for (int r = 0; r < rounds; ++r)
      for (const auto& t : people.round()) {
        p.send(topic, t.user_id, encode_transaction(t));
        ++n;
      }
    p.flush();
    return n;
  }

  /// One number from a query on the scratch database.
  long long count(const std::string& sql) const {
    pqxx::connection c(db.url());
    pqxx::read_transaction r(c);
    return r.exec(sql)[0][0].as<long long>();
  }

  /// Every one of `total` transactions stored exactly once, every offset
  /// committed, and each stored anomaly in frauds exactly once.
  void expect_exactly_once(long long total) const {
    BOOST_TEST(count("select count(*) from transactions") == total);
    BOOST_TEST(count("select count(distinct transaction_id) from transactions") == total);
    BOOST_TEST(count("select sum(next_offset) from kafka_offsets") == total);
    BOOST_TEST(count("select count(*) from transactions t where is_anomaly and not exists"
                     " (select 1 from frauds f where f.transaction_id = t.transaction_id)") == 0);
    BOOST_TEST(count("select count(*) from frauds") ==
               count("select count(*) from transactions where is_anomaly"));
    BOOST_TEST(count("select count(*) - count(distinct transaction_id) from frauds") == 0);
  }

  /// Waits until `sql` returns at least `expected`; fails the test after `timeout`.
  void wait_for(const std::string& sql, long long expected,
                std::chrono::seconds timeout = std::chrono::seconds(90)) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    long long got = -1;
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        got = count(sql);
      } catch (const std::exception&) {
        got = -1; // PostgreSQL may be away on purpose
      }
      if (got >= expected)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    BOOST_FAIL("timed out waiting for `" << sql << "` to reach " << expected << " (got " << got
                                         << ")");
  }
};

/// Waits until `pred` holds; false after `timeout`.
inline bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

} // namespace rtad::test
