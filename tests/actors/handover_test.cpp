#define BOOST_TEST_MODULE handover of partition profiles
// The PostgreSQL side of a hand-over with only anomalies stored
// (actors/detail/handover.hpp, db/migrations/011): the old owner's checkpoints for
// a partition it handed over pass the sink's fence while its mark stands,
// and only then; the new owner sees whether the old owner still runs.
#include "actors/detail/handover.hpp"
#include "actors/detail/node_lock.hpp"
#include "actors/detail/pg_writer.hpp"
#include "support/migrated_db.hpp"

#include <pqxx/pqxx>

using namespace rtad;

namespace {

struct handover_db : test::migrated_db {
  handover_db() : test::migrated_db("rtad_handover") {}

  void exec(const std::string& sql) const {
    pqxx::connection c(url());
    pqxx::work w(c);
    w.exec(sql);
    w.commit();
  }
};

/// n1's writer, holding claim 3 on partition 0: one checkpoint learnt from
/// it and one row of it. Returns the stored model version of u1 (0: none)
/// and the rows stored.
std::pair<long long, long long> write_as_n1(pg_writer& w, const handover_db& d,
                                            std::uint64_t version) {
  profile_checkpoint c;
  c.user_id = "u1";
  c.model_version = version;
  c.learned_partition = 0;
  c.learned_offset = static_cast<std::int64_t>(version);
  c.bytes = {1, 2, 3};
  c.summary_json = "{}";
  scored_transaction r;
  r.txn.transaction_id = "tx-" + std::to_string(version);
  r.txn.user_id = "u1";
  r.txn.currency = "EUR";
  r.txn.timestamp = 1767225600;
  r.txn.partition = 0;
  r.txn.offset = static_cast<std::int64_t>(version);
  r.risk = "none";
  r.model_used = "user";
  write_batch b;
  b.checkpoints.push_back(&c);
  b.rows.push_back(&r);
  b.owner_epochs = {{0, 3}};
  w.write(b);
  return {d.count("select coalesce(max(model_version), 0) from user_profiles"),
          d.count("select count(*) from transactions")};
}

} // namespace

BOOST_AUTO_TEST_CASE(checkpoints_of_a_handed_over_partition_pass_the_fence_while_the_mark_stands) {
  handover_db d;
  d.exec("insert into kafka_offsets (consumer_group, topic, kafka_partition, next_offset, node,"
         " owner_epoch, updated_at) values ('g', 't', 0, 0, 'n1', 3, now())");
  pg_writer w({d.url(), "n1", "g", "t", true, 36500});
  handover_marks n1(d.url(), "g", "t", "n1"), n2(d.url(), "g", "t", "n2");

  BOOST_TEST(n1.mark({0}));
  d.exec("update kafka_offsets set node = 'n2', owner_epoch = owner_epoch + 1"); // n2's claim
  // Handed over: the checkpoint goes in, the row (n2's now) does not.
  BOOST_TEST((write_as_n1(w, d, 5) == std::pair<long long, long long>{5, 0}));

  auto standing = n2.standing({0, 1});
  BOOST_REQUIRE(standing.size() == 1u);
  BOOST_TEST(standing[0].from == "n1");
  BOOST_TEST(standing[0].epoch == 3);
  BOOST_TEST(!standing[0].from_alive); // nobody holds n1's node lock
  {
    node_lock alive(d.url(), "n1");
    d.exec("insert into node_status (node, heartbeat_at) values ('n1', now())");
    BOOST_TEST(n2.standing({0})[0].from_alive);
    // Stopped (SIGSTOP): the lock stays, the heartbeat goes stale.
    d.exec("update node_status set heartbeat_at = now() - interval '20 seconds'");
    BOOST_TEST(!n2.standing({0})[0].from_alive);
  }

  // The new owner stopped waiting: n1's late checkpoints are fenced.
  n2.expire(0, standing[0]);
  BOOST_TEST(n2.standing({0}).empty());
  BOOST_TEST((write_as_n1(w, d, 6) == std::pair<long long, long long>{5, 0}));
}

BOOST_AUTO_TEST_CASE(an_old_owner_clears_only_the_marks_it_made_under_the_claims_it_names) {
  handover_db d;
  d.exec("insert into kafka_offsets (consumer_group, topic, kafka_partition, next_offset, node,"
         " owner_epoch, updated_at) values ('g', 't', 0, 0, 'n1', 3, now()),"
         " ('g', 't', 1, 0, 'n1', 7, now()), ('g', 't', 2, 0, 'n3', 2, now())");
  handover_marks n1(d.url(), "g", "t", "n1"), n2(d.url(), "g", "t", "n2");
  BOOST_TEST(n1.mark({0, 1, 2})); // partition 2 is n3's: not marked
  BOOST_TEST(n2.standing({0, 1, 2}).size() == 2u);
  BOOST_TEST(n1.clear({{0, 3}, {1, 6}}) == 1u); // partition 1 was marked under claim 7
  auto left = n2.standing({0, 1, 2});
  BOOST_TEST(left.size() == 1u);
  BOOST_TEST(left.count(1) == 1u);
  n2.forget_own(); // n2 made none
  BOOST_TEST(n2.standing({0, 1, 2}).size() == 1u);
  n1.forget_own(); // a restarted n1 will not finish it
  BOOST_TEST(n2.standing({0, 1, 2}).empty());
}
