#define BOOST_TEST_MODULE profile store
// A restored profile replays the rows stored after its checkpoint. That
// query used to read every day partition of the user (266 of them in the
// fault campaign: seconds per restore batch, stalls of a minute); it reads
// from a week before the checkpoint's newest transaction now.
#include "actors/detail/pg_connection.hpp"
#include "actors/detail/system_config.hpp"
#include "actors/profile_store.hpp"
#include "db/migrate.hpp"
#include "support/scratch_db.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <pqxx/pqxx>
#include <set>

using namespace rtad;

BOOST_AUTO_TEST_CASE(a_checkpoint_replays_its_later_rows_from_the_week_before_its_newest) {
  test::scratch_db db("rtad_profile_store");
  pqxx::connection c(db.url());
  db::migrate(c);
  {
    pqxx::work w(c);
    w.exec("select rtad_ensure_partitions(date '2026-01-01', date '2026-03-01')");
    // The checkpoint learned up to partition 0, offset 100, dated 2026-02-20.
    w.exec("insert into user_profiles (user_id, model_version, checkpoint, learned_partition,"
           " learned_offset, last_transaction_at) values ('u', 3, '\\x00'::bytea, 0, 100,"
           " '2026-02-20 12:00+00')");
    auto row = [&](const std::string& id, int offset, const std::string& day) {
      w.exec("insert into transactions (transaction_id, timestamp, user_id, amount, currency,"
             " location, transaction_type, score, threshold, is_anomaly, model_used,"
             " kafka_partition, kafka_offset) values ('" +
             id + "', '" + day +
             " 10:00+00', 'u', 10, 'USD', 'US', 'purchase', 0.1, 0.9, false, 'user', 0, " +
             std::to_string(offset) + ")");
    };
    row("learned", 99, "2026-02-20");    // before the checkpoint's position
    row("after", 101, "2026-02-21");     // after it
    row("late", 102, "2026-02-15");      // after it, dated within the week before
    row("long-late", 103, "2026-01-10"); // after it, dated six weeks before
    w.commit();
  }
  auto restored = load_profiles(c, {"u"}, 256)["u"];
  BOOST_TEST(restored.found);
  std::set<std::string> replayed;
  for (const auto& s : restored.catch_up)
    replayed.insert(s.txn.transaction_id);
  BOOST_TEST((replayed == std::set<std::string>{"after", "late"}));
  // Without a checkpoint every day is read: the user's latest rows.
  auto fresh = load_profiles(c, {"u"}, 256, false)["u"];
  BOOST_TEST(fresh.catch_up.size() == 4u);
}

// The fault campaign's longest stalls (61 s, then 167.7 s with no fault
// near): restores of 256 users ran into the 30 s statement timeout, halved,
// and doubled again after one success. PostgreSQL's JIT compiled each such
// statement (its estimated cost grows with users x day partitions) for 30 s;
// run as it is, it takes tens of milliseconds. The data here is small: the
// cost estimate, not the rows, decides for JIT.
BOOST_AUTO_TEST_CASE(a_restore_of_hundreds_of_users_over_months_of_days_is_not_cancelled) {
  test::scratch_db db("rtad_profile_store_jit");
  pqxx::connection setup(db.url());
  db::migrate(setup);
  {
    pqxx::work w(setup);
    w.exec("select rtad_ensure_partitions(date '2026-01-01', date '2026-09-23')"); // 266 days
    w.exec("insert into user_profiles (user_id, model_version, checkpoint, learned_partition,"
           " learned_offset, last_transaction_at) select 'u' || u, 1, '\\x00'::bytea, 0, 0,"
           " '2026-03-01 00:00+00' from generate_series(1, 256) u");
    w.exec("insert into transactions (transaction_id, timestamp, user_id, amount, currency,"
           " location, transaction_type, score, threshold, is_anomaly, model_used,"
           " kafka_partition, kafka_offset) select 't' || i, timestamptz '2026-01-01 00:00+00'"
           " + i * interval '8 hours', 'u' || (1 + i % 256), 10, 'USD', 'US', 'purchase', 0.1,"
           " 0.9, false, 'user', 0, i from generate_series(1, 797) i");
    w.commit();
  }
  std::vector<std::string> users;
  for (int u = 1; u <= 256; ++u)
    users.push_back("u" + std::to_string(u));
  // A tenth of the node's default statement timeout: the restore with JIT
  // took three times the whole of it.
  pqxx::connection c(node_connection_url(db.url(), std::chrono::milliseconds(3000)));
  auto restored = load_profiles(c, users, 512);
  BOOST_TEST(restored.size() == users.size());
  std::size_t replayed = 0;
  for (const auto& [user, p] : restored) {
    BOOST_TEST(p.found);
    replayed += p.catch_up.size();
  }
  BOOST_TEST(replayed > 0u); // the rows after each checkpoint's position
}

// A hand-over of thousands of users once made one restore query of all of
// them: it ran into the statement timeout and was retried whole, while
// their transactions held the node's credit. Now at most 512 users go in
// one query, and each batch is answered as it comes back.
BOOST_AUTO_TEST_CASE(many_users_waiting_come_back_in_bounded_batches) {
  test::scratch_db db("rtad_profile_store_batches");
  {
    pqxx::connection c(db.url());
    db::migrate(c);
  }
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  profile_store_config store;
  store.url = db.url();
  store.metrics = std::make_shared<node_metrics>();
  auto actor = sys.spawn<caf::detached>(profile_store, store);
  constexpr int users = 1300;
  caf::scoped_actor self{sys};
  for (int u = 0; u < users; ++u)
    self->send(actor, load_atom::value, "u" + std::to_string(u));
  int answered = 0;
  self->receive_for(answered, users)([&](const profile_restore& r) { BOOST_TEST(!r.found); },
                                     [&](const caf::error& e) { BOOST_ERROR(sys.render(e)); });
  BOOST_TEST(answered == users);
  BOOST_TEST(store.metrics->restores.load() == static_cast<std::uint64_t>(users));
  BOOST_TEST(store.metrics->restore_queries.load() >= 3u); // 1,300 users, 512 at most each
  self->send_exit(actor, caf::exit_reason::user_shutdown);
}
