#define BOOST_TEST_MODULE sink
#include "actors/detail/pg_writer.hpp"
#include "actors/detail/system_config.hpp"
#include "actors/sink.hpp"
#include "support/migrated_db.hpp"

#include <caf/all.hpp>
#include <cmath>
#include <pqxx/pqxx>

using namespace rtad;

namespace {

scored_transaction row(int i, bool anomalous = false) {
  scored_transaction s;
  s.txn.transaction_id = "tx-" + std::to_string(i);
  s.txn.user_id = "u" + std::to_string(i % 7);
  s.txn.amount = 10.5 + i;
  s.txn.currency = "EUR";
  s.txn.location = "DE";
  s.txn.timestamp = 1767225600 + i * 3600; // spans several day partitions
  s.txn.transaction_type = "purchase";
  s.txn.merchant_category = "groceries";
  s.txn.device_type = "mobile";
  s.txn.merchant_name = "Tab\tand \"quotes\" \\ back";
  s.txn.partition = i % 2;
  s.txn.offset = i / 2;
  s.txn.anomalous = anomalous ? 1 : 0;
  s.score = anomalous ? 0.8 : 0.4;
  s.threshold = 0.6;
  s.anomalous = anomalous;
  s.risk = anomalous ? "high" : "none";
  s.model_used = "user";
  if (anomalous) {
    s.explanation = "amount 4,830.00 vs usual 12.00–180.00";
    s.detection_features = R"({"top":[]})";
  }
  return s;
}

struct migrated_db : test::migrated_db {
  migrated_db() : test::migrated_db("rtad_sink") {}
};

/// A sink as the node runs it (scheduled; its writers detached), writing as node n1.
struct running_sink {
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  sink_config sc;
  sink_actor handle;
  caf::scoped_actor self{sys};

  running_sink(const std::string& url, std::size_t batch_rows, std::chrono::milliseconds wait,
               std::chrono::milliseconds max_backoff = sink_config{}.max_backoff,
               std::size_t writers = sink_config{}.writers) {
    // January 2026 rows, and retention counts days back from today.
    sc.writer = {url, "n1", "g", "t", true, 36500};
    sc.writers = writers;
    sc.batch_rows = batch_rows;
    sc.flush_interval = wait;
    sc.max_backoff = max_backoff;
    sc.metrics = std::make_shared<node_metrics>();
    handle = sys.spawn(sink, sc);
  }
  ~running_sink() { self->send_exit(handle, caf::exit_reason::user_shutdown); }
};

} // namespace

BOOST_AUTO_TEST_CASE(a_replayed_batch_changes_nothing) {
  migrated_db db;
  pg_writer w({db.url(), "n1", "g", "t", true, 30});
  std::vector<scored_transaction> rows;
  for (int i = 0; i < 50; ++i)
    rows.push_back(row(i, i % 10 == 0));
  quarantine_entry q{"t", 0, 99, "k", std::string("\x00\xff{bad", 6), "not valid JSON"};
  profile_checkpoint c;
  c.user_id = "u1";
  c.bytes = {1, 2, 3};
  c.model_version = 7;
  write_batch b;
  for (const auto& r : rows)
    b.rows.push_back(&r);
  b.quarantined.push_back(&q);
  b.checkpoints.push_back(&c);
  b.watermarks = {{0, 25}, {1, 20}};
  w.write(b);
  b.watermarks = {{0, 10}, {1, 25}}; // an older watermark never moves the offset back
  w.write(b);
  BOOST_TEST(db.count("select count(*) from transactions") == 50);
  BOOST_TEST(db.count("select count(*) from frauds") == 5);
  BOOST_TEST(db.count("select count(*) from quarantine") == 1);
  BOOST_TEST(db.count("select count(*) from user_profiles where model_version = 7") == 1);
  BOOST_TEST(db.count("select next_offset from kafka_offsets where kafka_partition = 0") == 25);
  BOOST_TEST(db.count("select next_offset from kafka_offsets where kafka_partition = 1") == 25);
  BOOST_TEST(db.count("select count(*) from transactions where merchant_name ="
                      " E'Tab\\tand \"quotes\" \\\\ back'") == 50);
  BOOST_TEST(db.count("select count(*) from frauds where ground_truth and"
                      " detection_features ? 'top'") == 5);
  BOOST_TEST(db.count("select octet_length(raw) from quarantine") == 6);
}

BOOST_AUTO_TEST_CASE(scores_are_stored_as_the_very_doubles_the_models_gave) {
  // Analysts compare a stored score with the threshold and with a replay:
  // the text COPY carries must read back as the same double, bit for bit.
  migrated_db db;
  pg_writer w({db.url(), "n1", "g", "t", true, 36500});
  const std::vector<double> scores{0.1 + 0.2, 1.0 / 3, std::nextafter(0.998, 1.0), 1e-300,
                                   0.9999999999999999};
  std::vector<scored_transaction> rows;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    rows.push_back(row(static_cast<int>(i)));
    rows.back().score = scores[i];
    rows.back().threshold = 1 - scores[i];
  }
  write_batch b;
  for (const auto& r : rows)
    b.rows.push_back(&r);
  w.write(b);
  pqxx::connection c(db.url());
  pqxx::work t(c);
  for (std::size_t i = 0; i < scores.size(); ++i) {
    auto r = t.exec_params1("select score, threshold from transactions where transaction_id = $1",
                            rows[i].txn.transaction_id);
    BOOST_TEST(r[0].as<double>() == scores[i]);
    BOOST_TEST(r[1].as<double>() == 1 - scores[i]);
  }
}

BOOST_AUTO_TEST_CASE(checkpoints_are_copied_byte_for_byte_and_the_newest_of_a_user_wins) {
  migrated_db db;
  pg_writer w({db.url(), "n1", "g", "t", true, 30});
  std::vector<profile_checkpoint> cs(300);
  for (std::size_t i = 0; i < cs.size(); ++i) {
    cs[i].user_id = "user " + std::to_string(i % 250); // the last 50 repeat users
    for (int b = 0; b < 256; ++b) // every byte value, backslash and NUL included
      cs[i].bytes.push_back(static_cast<std::uint8_t>((b + i) % 256));
    cs[i].model_version = i;
    cs[i].summary_json = R"({"note":"tab\tand \\ back"})";
    cs[i].last_retrain = i == 0 ? 0 : 1767225600;
  }
  write_batch b;
  for (const auto& c : cs)
    b.checkpoints.push_back(&c);
  w.write(b);
  BOOST_TEST(db.count("select count(*) from user_profiles") == 250);
  BOOST_TEST(db.count("select model_version from user_profiles where user_id = 'user 7'") == 257);
  BOOST_TEST(db.count("select count(*) from user_profiles where last_retrain is null") == 0);
  BOOST_TEST(db.count("select count(*) from user_profiles where summary->>'note' ="
                      " E'tab\\tand \\\\ back'") == 250);
  pqxx::connection c(db.url());
  pqxx::read_transaction r(c);
  for (auto row : r.exec("select user_id, model_version, checkpoint from user_profiles")) {
    pqxx::binarystring stored(row[2]);
    const auto& expected = cs[row[1].as<std::size_t>()].bytes;
    BOOST_TEST(std::vector<std::uint8_t>(stored.begin(), stored.end()) == expected, row[0].c_str());
  }
}

BOOST_AUTO_TEST_CASE(a_checkpoint_never_replaces_a_newer_one) {
  // A node that lost the user's partition and wakes up must not undo what
  // the new owner learnt.
  migrated_db db;
  pg_writer w({db.url(), "n1", "g", "t", true, 30});
  auto write = [&](std::uint64_t version, std::int64_t learned_offset) {
    profile_checkpoint c;
    c.user_id = "u-fenced";
    c.model_version = version;
    c.learned_partition = 0;
    c.learned_offset = learned_offset;
    c.bytes = {1, 2, 3};
    c.summary_json = "{}";
    write_batch b;
    b.checkpoints.push_back(&c);
    w.write(b);
    return db.count("select model_version * 1000 + learned_offset from user_profiles");
  };
  BOOST_TEST(write(5, 100) == 5100);
  BOOST_TEST(write(4, 300) == 5100); // fewer refits: older, whatever it learnt last
  BOOST_TEST(write(5, 90) == 5100);  // as many, an earlier transaction: older
  BOOST_TEST(write(5, 120) == 5120);
  BOOST_TEST(write(6, 0) == 6000);
}

BOOST_AUTO_TEST_CASE(the_sink_writes_in_batches_and_returns_credit_once_stored) {
  migrated_db db;
  running_sink s(db.url(), 100, std::chrono::milliseconds(20));
  auto& self = s.self;
  auto sink_handle = s.handle;
  std::vector<offset_batch> announced{{0, {}}, {1, {}}};
  std::vector<scored_transaction> rows;
  for (int i = 0; i < 1000; ++i) {
    rows.push_back(row(i));
    announced[static_cast<std::size_t>(i % 2)].offsets.push_back(i / 2);
  }
  std::uint64_t credit = 0;
  // An asynchronous request: its answer arrives as an ordinary message.
  self->send(sink_handle, announce_atom::value, announced);
  // Results arrive in pieces and out of order across partitions.
  for (int chunk = 9; chunk >= 0; --chunk)
    self->send(sink_handle, std::vector<scored_transaction>(rows.begin() + chunk * 100,
                                                            rows.begin() + (chunk + 1) * 100));
  self->receive([&](std::uint64_t n) { credit = n; },
                caf::after(std::chrono::seconds(30)) >> [] { BOOST_FAIL("no credit came back"); });
  BOOST_TEST(credit == 1000u);
  BOOST_TEST(db.count("select count(*) from transactions") == 1000);
  BOOST_TEST(s.sc.metrics->sink_batches.load() >= 10u);
  BOOST_TEST(db.count("select sum(next_offset) from kafka_offsets") == 1000);
  bool drained = false;
  self
    ->request(sink_handle, std::chrono::seconds(10), drain_atom::value,
              std::vector<std::int32_t>{0, 1})
    .receive([&](bool ok) { drained = ok; }, [](caf::error&) {});
  BOOST_TEST(drained);
}

BOOST_AUTO_TEST_CASE(without_a_wait_the_sink_batches_what_arrives_during_a_write) {
  migrated_db db;
  running_sink s(db.url(), 100000, std::chrono::milliseconds(0));
  auto& self = s.self;
  auto sink_handle = s.handle;
  constexpr int n = 2000;
  std::vector<offset_batch> announced{{0, {}}, {1, {}}};
  for (int i = 0; i < n; ++i)
    announced[static_cast<std::size_t>(i % 2)].offsets.push_back(i / 2);
  self->send(sink_handle, announce_atom::value, announced);
  for (int i = 0; i < n; ++i) { // one row per message, as fast as they come
    auto r = row(i);
    r.txn.timestamp = 1767225600 + i; // one day: retention drops nothing
    self->send(sink_handle, std::vector<scored_transaction>{r});
  }
  std::uint64_t credit = 0;
  self->receive([&](std::uint64_t c) { credit = c; },
                caf::after(std::chrono::seconds(30)) >> [] { BOOST_FAIL("no credit came back"); });
  BOOST_TEST(credit == std::uint64_t{n});
  BOOST_TEST(db.count("select count(*) from transactions") == n);
  // No timer gathered them: the rows that came during one write made the next batch.
  auto batches = s.sc.metrics->sink_batches.load();
  BOOST_TEST(batches >= 1u);
  BOOST_TEST(batches < static_cast<std::uint64_t>(n) / 10,
             batches << " batches for " << n << " messages");
}

BOOST_AUTO_TEST_CASE(the_sink_keeps_credit_while_the_database_is_unreachable) {
  // A port where nothing listens: a real refusal, not a mock.
  running_sink s("postgresql://rtad@127.0.0.1:1/none?connect_timeout=1", 10,
                 std::chrono::milliseconds(10), std::chrono::milliseconds(200));
  auto& self = s.self;
  auto sink_handle = s.handle;
  std::vector<offset_batch> announced{{0, {0, 1, 2}}};
  bool credited = false;
  self->send(sink_handle, announce_atom::value, announced);
  std::vector<scored_transaction> rows{row(0), row(2), row(4)};
  for (auto& r : rows)
    r.txn.partition = 0;
  self->send(sink_handle, rows);
  self->receive([&](std::uint64_t) { credited = true; },
                caf::after(std::chrono::milliseconds(1500)) >> [] {});
  BOOST_TEST(!credited);
  BOOST_TEST(s.sc.metrics->sink_errors.load() >= 2u); // retried with backoff
  BOOST_TEST(!s.sc.metrics->db_available.load());
  BOOST_TEST(s.sc.metrics->sink_buffered.load() == 3u); // nothing dropped
}

BOOST_AUTO_TEST_CASE(a_partition_held_up_in_postgresql_does_not_hold_up_the_others) {
  migrated_db db;
  running_sink s(db.url(), 1000, std::chrono::milliseconds(10), sink_config{}.max_backoff, 2);
  // Partition 1's offset row inserted by a transaction still open: the
  // writer's upsert of it waits until that one ends (declared after the
  // sink, so a failed check ends it before the sink waits for its writers).
  pqxx::connection locker(db.url());
  pqxx::work lock(locker);
  lock.exec("insert into kafka_offsets (consumer_group, topic, kafka_partition, next_offset)"
            " values ('g', 't', 1, 0)");
  auto& self = s.self;
  std::vector<scored_transaction> rows;
  std::vector<offset_batch> p0{{0, {}}}, p1{{1, {}}};
  for (int i = 0; i < 40; ++i) {
    rows.push_back(row(i));
    (i % 2 == 0 ? p0 : p1)[0].offsets.push_back(i / 2);
  }
  // Two announcements, one per partition, so each credit says which one is stored.
  self->send(s.handle, announce_atom::value, p1);
  self->send(s.handle, announce_atom::value, p0);
  self->send(s.handle, rows);
  std::vector<std::uint64_t> credits;
  auto wait_credit = [&](std::chrono::milliseconds timeout) {
    self->receive([&](std::uint64_t n) { credits.push_back(n); }, caf::after(timeout) >> [] {});
  };
  wait_credit(std::chrono::seconds(20));
  BOOST_REQUIRE_EQUAL(credits.size(), 1u);
  BOOST_TEST(db.count("select count(*) from transactions where kafka_partition = 0") == 20);
  BOOST_TEST(db.count("select next_offset from kafka_offsets where kafka_partition = 0") == 20);
  wait_credit(std::chrono::milliseconds(300));
  BOOST_TEST(credits.size() == 1u); // partition 1 is still waiting, with nothing of it stored
  BOOST_TEST(db.count("select count(*) from transactions where kafka_partition = 1") == 0);
  lock.commit();
  wait_credit(std::chrono::seconds(20));
  BOOST_REQUIRE_EQUAL(credits.size(), 2u);
  BOOST_TEST(db.count("select count(*) from transactions") == 40);
  BOOST_TEST(db.count("select next_offset from kafka_offsets where kafka_partition = 1") == 20);
}

BOOST_AUTO_TEST_CASE(a_checkpoint_commits_with_the_last_row_its_profile_sent_before_it) {
  migrated_db db;
  // Batches of two: the user's five rows take three batches, and the
  // checkpoint arrives while the first one is being written.
  running_sink s(db.url(), 2, std::chrono::milliseconds(0), sink_config{}.max_backoff, 1);
  std::vector<scored_transaction> rows;
  for (int i = 0; i < 5; ++i) {
    rows.push_back(row(i));
    rows.back().txn.user_id = "u-order";
    rows.back().txn.partition = 0;
    rows.back().txn.offset = i;
    rows.back().txn.timestamp = 1767225600 + i;
  }
  profile_checkpoint c;
  c.user_id = "u-order";
  c.bytes = {1, 2, 3};
  c.learned_partition = 0;
  c.learned_offset = 4;
  s.self->send(s.handle, announce_atom::value, std::vector<offset_batch>{{0, {0, 1, 2, 3, 4}}});
  s.self->send(s.handle, rows);
  bool stored = false;
  s.self->request(s.handle, std::chrono::seconds(20), checkpoint_atom::value, c)
    .receive([&](bool ok) { stored = ok; }, [](caf::error& e) { BOOST_FAIL(to_string(e)); });
  BOOST_REQUIRE(stored);
  std::uint64_t credit = 0; // every row stored
  s.self->receive([&](std::uint64_t n) { credit = n; },
                  caf::after(std::chrono::seconds(20)) >>
                    [] { BOOST_FAIL("no credit came back"); });
  BOOST_REQUIRE_EQUAL(credit, 5u);
  // Each batch is one PostgreSQL transaction of one writer, in order: the
  // checkpoint's must be the one that stored the last row, not an earlier one.
  pqxx::connection conn(db.url());
  pqxx::read_transaction r(conn);
  auto xid = [&](const std::string& sql) { return r.exec(sql)[0][0].as<long long>(); };
  auto checkpoint_xid =
    xid("select xmin::text::bigint from user_profiles where user_id = 'u-order'");
  auto last_row_xid =
    xid("select max(xmin::text::bigint) from transactions where user_id = 'u-order'");
  auto first_row_xid =
    xid("select min(xmin::text::bigint) from transactions where user_id = 'u-order'");
  BOOST_TEST(first_row_xid < last_row_xid); // the rows did take several batches
  BOOST_TEST(checkpoint_xid == last_row_xid);
}
