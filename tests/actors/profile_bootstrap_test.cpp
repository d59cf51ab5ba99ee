#define BOOST_TEST_MODULE profile bootstrap
#include "actors/detail/convert.hpp"
#include "actors/detail/profile_bootstrap.hpp"
#include "actors/detail/rebuild.hpp"
#include "actors/detail/system_config.hpp"
#include "actors/profile_store.hpp"
#include "actors/shard.hpp"
#include "actors/sink.hpp"
#include "db/migrate.hpp"
#include "history.hpp"
#include "models/serialize.hpp"
#include "support/no_global_model.hpp"
#include "support/node_fixture.hpp"

#include <caf/all.hpp>
#include <set>
#include <thread>

using namespace rtad;

namespace {

/// A migrated scratch database and a bootstrap configured for it.
struct history_db {
  test::scratch_db db;
  bootstrap_config cfg;

  explicit history_db(const std::string& name) : db(name) {
    pqxx::connection c(db.url());
    db::migrate(c);
    cfg.url = db.url();
    cfg.params = models::model_params{};
    cfg.min_transactions = 30;
    cfg.jobs = 2;
  }

  /// user -> updated_at of every stored checkpoint.
  std::map<std::string, std::string> checkpoints() const {
    pqxx::connection c(db.url());
    pqxx::read_transaction r(c);
    std::map<std::string, std::string> out;
    for (const auto& row : r.exec("select user_id, updated_at::text from user_profiles"
                                  " where checkpoint is not null"))
      out[row[0].as<std::string>()] = row[1].as<std::string>();
    return out;
  }

  models::user_model stored_model(const std::string& user) const {
    pqxx::connection c(db.url());
    pqxx::read_transaction r(c);
    auto rows = r.exec_params("select checkpoint from user_profiles where user_id = $1", user);
    BOOST_REQUIRE_EQUAL(rows.size(), 1u);
    pqxx::binarystring bytes(rows[0][0]);
    return models::model_codec::load_user_model(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                                bytes.size());
  }
};

void run_all(const bootstrap_config& cfg) {
  bootstrap_control ctl;
  auto plan = plan_bootstrap(cfg);
  run_bootstrap(cfg, plan.users, ctl);
  BOOST_REQUIRE_EQUAL(ctl.built.load(), plan.users.size());
}

} // namespace

BOOST_AUTO_TEST_CASE(checkpoints_are_built_for_exactly_the_users_with_enough_history) {
  history_db h("rtad_bootstrap_which");
  test::population people(6, 3);
  const std::vector<int> counts{5, 29, 30, 31, 90, 600};
  for (std::size_t u = 0; u < counts.size(); ++u)
    test::store_history(h.db.url(), people, static_cast<int>(u), "user-" + std::to_string(u),
                        counts[u]);

  auto plan = plan_bootstrap(h.cfg);
  BOOST_TEST(plan.eligible == 4u);
  BOOST_TEST(plan.already_done == 0u);
  run_all(h.cfg);

  auto stored = h.checkpoints();
  std::set<std::string> users;
  for (const auto& [user, at] : stored)
    users.insert(user);
  BOOST_TEST((users == std::set<std::string>{"user-2", "user-3", "user-4", "user-5"}));
  // Each learned its whole stored history, up to what a node replays, and
  // knows where it stopped so a node replays only what came after.
  BOOST_TEST(h.stored_model("user-3").history().size() == 31u);
  BOOST_TEST(h.stored_model("user-3").learned().offset == 30);
  auto big = h.stored_model("user-5");
  BOOST_TEST(big.history().size() <= h.cfg.catch_up_limit);
  BOOST_TEST(big.learned().offset == 599);
  BOOST_TEST(big.version() > 0u);
  pqxx::connection c(h.db.url());
  pqxx::read_transaction r(c);
  BOOST_TEST(r.exec("select count(*) from user_profiles where node = 'profiles-init'"
                    " and summary <> '{}'::jsonb")[0][0]
               .as<int>() == 4);
}

BOOST_AUTO_TEST_CASE(a_checkpoint_a_node_wrote_is_kept_unless_rebuilding) {
  history_db h("rtad_bootstrap_keep");
  test::population people(2, 5);
  test::store_history(h.db.url(), people, 0, "user-0", 40);
  test::store_history(h.db.url(), people, 1, "user-1", 40);
  // A node's checkpoint of user-0 that learned only its latest transaction.
  models::user_model node_model;
  {
    pqxx::connection c(h.db.url());
    auto mine = load_profiles(c, {"user-0"}, 1);
    node_model = rebuild_profile({}, mine["user-0"]).model;
  }
  auto node_checkpoint = checkpoint_of("user-0", node_model);
  pg_writer w({h.db.url(), "node-a", "g", "t", true, 0});
  write_batch b;
  b.checkpoints.push_back(&node_checkpoint);
  w.write(b);

  auto plan = plan_bootstrap(h.cfg);
  BOOST_TEST(plan.eligible == 2u);
  BOOST_TEST(plan.already_done == 1u);
  BOOST_TEST((plan.users == std::vector<std::string>{"user-1"}));
  run_all(h.cfg);
  BOOST_TEST((h.stored_model("user-0") == node_model));

  h.cfg.rebuild = true;
  BOOST_TEST(plan_bootstrap(h.cfg).users.size() == 2u);
  run_all(h.cfg);
  BOOST_TEST(h.stored_model("user-0").history().size() == 40u);
}

BOOST_AUTO_TEST_CASE(a_node_restores_a_bootstrapped_profile_and_scores_as_if_it_had_built_it) {
  history_db h("rtad_bootstrap_restore");
  // Twins: the same history under two ids. One is bootstrapped; the other
  // is left for the node to build from the stored rows itself.
  test::population people(1, 11);
  test::store_history(h.db.url(), people, 0, "twin-a", 300);
  {
    pg_writer w({h.db.url(), "history", "g", "t", true, 0});
    std::vector<scored_transaction> rows;
    pqxx::connection c(h.db.url());
    auto stored = load_profiles(c, {"twin-a"}, 1000)["twin-a"].catch_up;
    for (auto s : stored) {
      scored_transaction row;
      row.txn = s.txn;
      row.txn.user_id = "twin-b";
      row.txn.transaction_id = "b" + s.txn.transaction_id;
      row.score = s.score;
      row.anomalous = s.anomalous;
      row.risk = s.anomalous ? "high" : "none";
      row.model_used = "user";
      rows.push_back(std::move(row));
    }
    write_batch b;
    for (const auto& row : rows)
      b.rows.push_back(&row);
    w.write(b);
  }
  run_all(h.cfg);
  {
    pqxx::connection c(h.db.url());
    pqxx::work w(c);
    w.exec("update user_profiles set checkpoint = null where user_id = 'twin-b'");
    w.commit();
  }
  // What the node's profile store hands the two profiles: a checkpoint with
  // nothing left to replay, and rows to rebuild from.
  pqxx::connection c(h.db.url());
  auto restores = load_profiles(c, {"twin-a", "twin-b"}, h.cfg.catch_up_limit);
  BOOST_TEST(restores["twin-a"].found);
  BOOST_TEST(restores["twin-a"].catch_up.empty());
  BOOST_TEST(!restores["twin-b"].found);
  BOOST_TEST(restores["twin-b"].catch_up.size() == 300u);
  // The checkpoint is what the node would have built from twin-a's rows.
  auto from_rows = load_profiles(c, {"twin-a"}, h.cfg.catch_up_limit, false);
  BOOST_TEST((rebuild_profile(h.cfg.params, restores["twin-a"]).model ==
              rebuild_profile(h.cfg.params, from_rows["twin-a"]).model));

  // The node scores the next transactions of both alike.
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  auto metrics = std::make_shared<node_metrics>();
  sink_config sc;
  // January 2026 rows, and retention counts days back from today.
  sc.writer = {h.db.url(), "n1", "g", "t", true, 36500};
  sc.flush_interval = std::chrono::milliseconds(10);
  sc.metrics = metrics;
  auto sink_handle = sys.spawn(sink, sc);
  profile_store_config pc;
  pc.url = h.db.url();
  pc.catch_up_limit = h.cfg.catch_up_limit;
  pc.metrics = metrics;
  auto store = sys.spawn<caf::detached>(profile_store, pc);
  shard_config shc;
  shc.profile.params = h.cfg.params;
  shc.profile.sink = sink_handle;
  shc.profile.store = store;
  shc.profile.metrics = metrics;
  shc.passivate_after = std::chrono::hours(1);
  auto sh = sys.spawn(shard, shc);
  caf::anon_send(sh, test::no_global_model());
  std::vector<transaction> next_a, next_b;
  for (int i = 0; i < 20; ++i) {
    auto t = i == 10 ? people.takeover(0) : people.normal(0);
    t.partition = 0;
    t.offset = 300 + i;
    t.user_id = "twin-a";
    t.transaction_id = "next-a-" + std::to_string(i);
    auto u = t;
    u.user_id = "twin-b";
    u.transaction_id = "next-b-" + std::to_string(i);
    next_a.push_back(std::move(t));
    next_b.push_back(std::move(u));
  }
  caf::anon_send(sh, std::move(next_a));
  caf::anon_send(sh, std::move(next_b));
  BOOST_REQUIRE(
    test::eventually([&] { return metrics->stored_rows >= 40; }, std::chrono::seconds(20)));
  pqxx::read_transaction r(c);
  int compared = 0;
  for (const auto& row : r.exec("select a.score, b.score, a.is_anomaly from transactions a"
                                " join transactions b on b.transaction_id ="
                                " 'next-b-' || substr(a.transaction_id, 8)"
                                " where a.transaction_id like 'next-a-%'")) {
    BOOST_TEST(row[0].as<double>() == row[1].as<double>());
    ++compared;
  }
  BOOST_TEST(compared == 20);
  // And the takeover stands out.
  BOOST_TEST(
    r.exec("select count(*) from transactions where transaction_id like 'next-a-%' and"
           " score >= (select score from transactions where transaction_id = 'next-a-10')")[0][0]
      .as<int>() == 1);
  caf::anon_send_exit(sh, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(sink_handle, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(an_interrupted_bootstrap_resumes_without_redoing_finished_users) {
  history_db h("rtad_bootstrap_resume");
  constexpr int users = 120;
  test::population people(users, 17);
  for (int u = 0; u < users; ++u)
    test::store_history(h.db.url(), people, u, "user-" + std::to_string(u), 32);
  h.cfg.jobs = 1;
  h.cfg.users_per_batch = 2;

  auto plan = plan_bootstrap(h.cfg);
  BOOST_REQUIRE_EQUAL(plan.users.size(), static_cast<std::size_t>(users));
  bootstrap_control ctl;
  std::thread interrupter([&] {
    while (ctl.built < 6)
      std::this_thread::yield();
    ctl.stop = true; // what Ctrl-C does in `rtad profiles init`
  });
  run_bootstrap(h.cfg, plan.users, ctl);
  interrupter.join();
  auto first = h.checkpoints();
  BOOST_TEST_MESSAGE("built before the interruption: " << first.size());
  BOOST_REQUIRE(first.size() >= 6u);
  BOOST_REQUIRE(first.size() < static_cast<std::size_t>(users));
  BOOST_TEST(first.size() == ctl.built.load());

  auto again = plan_bootstrap(h.cfg);
  BOOST_TEST(again.already_done == first.size());
  BOOST_TEST(again.users.size() == users - first.size());
  for (const auto& u : again.users)
    BOOST_TEST(!first.count(u), u << " was done already");
  bootstrap_control ctl2;
  run_bootstrap(h.cfg, again.users, ctl2);
  auto all = h.checkpoints();
  BOOST_TEST(all.size() == static_cast<std::size_t>(users));
  for (const auto& [user, at] : first)
    BOOST_TEST(all[user] == at, user << " was written again");
  BOOST_TEST(plan_bootstrap(h.cfg).users.empty());
}

BOOST_AUTO_TEST_CASE(a_bootstrap_fails_clearly_without_its_database) {
  bootstrap_config cfg;
  cfg.url = "postgresql://rtad@127.0.0.1:1/none?connect_timeout=2";
  BOOST_CHECK_THROW(plan_bootstrap(cfg), pqxx::broken_connection);
  bootstrap_control ctl;
  BOOST_CHECK_THROW(run_bootstrap(cfg, {"user-1"}, ctl), pqxx::broken_connection);
}
