#define BOOST_TEST_MODULE profile passivation
#include "actors/detail/convert.hpp"
#include "actors/detail/system_config.hpp"
#include "actors/profile_store.hpp"
#include "actors/shard.hpp"
#include "actors/sink.hpp"
#include "db/migrate.hpp"
#include "models/serialize.hpp"
#include "support/no_global_model.hpp"
#include "support/node_fixture.hpp"
#include "support/stream.hpp"

#include <caf/all.hpp>

using namespace rtad;

namespace {

/// Scores of a user's transactions by their id without its one-letter prefix.
std::map<std::string, double> scores_of(const std::string& url, const std::string& user) {
  pqxx::connection c(url);
  pqxx::read_transaction r(c);
  std::map<std::string, double> out;
  for (const auto& row :
       r.exec_params("select transaction_id, score from transactions where user_id = $1", user))
    out[row[0].as<std::string>().substr(1)] = row[1].as<double>();
  return out;
}

/// A real sink and profile store on a scratch database, and the settings
/// of shards that use them.
struct shard_rig {
  test::scratch_db db;
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<node_metrics> metrics = std::make_shared<node_metrics>();
  sink_actor sink_handle;
  profile_store_actor store;
  shard_config base;

  explicit shard_rig(const std::string& name) : db(name) {
    {
      pqxx::connection c(db.url());
      db::migrate(c);
    }
    sink_config sc;
    // January 2026 rows, and retention counts days back from today.
    sc.writer = {db.url(), "n1", "g", "t", true, 36500};
    sc.flush_interval = std::chrono::milliseconds(10);
    sc.metrics = metrics;
    sink_handle = sys.spawn(sink, sc);
    profile_store_config pc;
    pc.url = db.url();
    pc.metrics = metrics;
    store = sys.spawn<caf::detached>(profile_store, pc);
    base.profile.params = models::model_params{};
    base.profile.sink = sink_handle;
    base.profile.store = store;
    base.profile.metrics = metrics;
    base.tick_interval = std::chrono::milliseconds(50);
  }
  ~shard_rig() {
    caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(sink_handle, caf::exit_reason::user_shutdown);
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(a_passivated_and_restored_profile_scores_as_one_that_stayed_in_memory) {
  shard_rig rig("rtad_passivation");
  auto& sys = rig.sys;
  auto& metrics = rig.metrics;
  auto& db = rig.db;
  auto& base = rig.base;
  auto forgetful_cfg = base;
  forgetful_cfg.passivate_after = std::chrono::seconds(0); // every idle moment
  auto steady_cfg = base;
  steady_cfg.passivate_after = std::chrono::hours(1);
  auto forgetful = sys.spawn(shard, forgetful_cfg);
  caf::anon_send(forgetful, test::no_global_model());
  auto steady = sys.spawn(shard, steady_cfg);
  caf::anon_send(steady, test::no_global_model());

  test::population people(1, 3);
  std::string takeover_id;
  constexpr int chunks = 12;
  constexpr int per_chunk = 25;
  for (int c = 0; c < chunks; ++c) {
    std::vector<transaction> a, b;
    for (int i = 0; i < per_chunk; ++i) {
      auto t = c == 7 && i == 3 ? people.takeover(0) : people.normal(0);
      if (t.anomalous == 1)
        takeover_id = t.transaction_id;
      t.partition = -1; // not from Kafka: learned every time
      auto u = t;
      t.user_id = "u-forgetful";
      t.transaction_id = "a" + u.transaction_id;
      u.user_id = "u-steady";
      u.transaction_id = "b" + u.transaction_id;
      a.push_back(std::move(t));
      b.push_back(std::move(u));
    }
    auto passivated = metrics->passivations.load();
    caf::anon_send(forgetful, std::move(a));
    caf::anon_send(steady, std::move(b));
    auto stored = static_cast<std::uint64_t>((c + 1) * per_chunk * 2);
    BOOST_REQUIRE(test::eventually(
      [&] { return metrics->stored_rows >= stored && metrics->passivations > passivated; },
      std::chrono::seconds(20)));
  }
  auto forgetful_scores = scores_of(db.url(), "u-forgetful");
  auto steady_scores = scores_of(db.url(), "u-steady");
  BOOST_REQUIRE(forgetful_scores.size() == static_cast<std::size_t>(chunks * per_chunk));
  for (const auto& [id, score] : steady_scores)
    BOOST_TEST(forgetful_scores[id] == score, id);
  BOOST_TEST(metrics->passivations.load() >= static_cast<std::uint64_t>(chunks));
  BOOST_TEST(metrics->restores.load() >= static_cast<std::uint64_t>(chunks));
  // The takeover stands out in both.
  for (const auto& [id, score] : steady_scores)
    BOOST_TEST(score <= steady_scores[takeover_id]);
  for (const auto& h : {forgetful, steady})
    caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(the_memory_gauge_follows_a_profile_between_checkpoints) {
  shard_rig rig("rtad_memory_gauge");
  auto shc = rig.base;
  shc.profile.checkpoint_every = 100000; // no checkpoint in this test
  shc.passivate_after = std::chrono::hours(1);
  auto sh = rig.sys.spawn(shard, shc);
  caf::anon_send(sh, test::no_global_model());
  test::population people(1, 5);
  models::user_model reference{models::model_params{}};
  for (int i = 0; i < 120; ++i) {
    auto t = people.normal(0);
    t.partition = 0;
    t.offset = i;
    auto input = to_input(t);
    auto x = reference.features(input);
    reference.record(input, x, reference.assess(x, nullptr, nullptr), t.transaction_id,
                     {t.partition, t.offset});
    caf::anon_send(sh, std::vector<transaction>{t});
  }
  BOOST_REQUIRE(
    test::eventually([&] { return rig.metrics->stored_rows >= 120; }, std::chrono::seconds(20)));
  auto empty = models::user_model{models::model_params{}}.memory_bytes();
  auto grown = reference.memory_bytes();
  BOOST_REQUIRE(grown > 2 * empty);
  BOOST_TEST(test::eventually([&] { return rig.metrics->profile_memory_bytes >= grown * 9 / 10; },
                              std::chrono::seconds(5)),
             rig.metrics->profile_memory_bytes.load()
               << " bytes reported; the model holds " << grown);
  caf::anon_send_exit(sh, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(a_profile_restored_after_a_crash_catches_up_from_stored_rows) {
  shard_rig rig("rtad_catch_up");
  auto& sys = rig.sys;
  auto& metrics = rig.metrics;
  auto& db = rig.db;
  auto shc = rig.base;
  shc.profile.checkpoint_every = 40;
  shc.passivate_after = std::chrono::hours(1);
  shc.tick_interval = std::chrono::seconds(1);

  test::population people(1, 9);
  std::vector<transaction> stream;
  for (int i = 0; i < 101; ++i) {
    auto t = i == 60 ? people.takeover(0) : people.normal(0);
    t.partition = 0;
    t.offset = i;
    stream.push_back(std::move(t));
  }
  // The first life: 100 transactions, checkpoints after 40 and 80, then a crash.
  auto first = sys.spawn(shard, shc);
  caf::anon_send(first, test::no_global_model());
  for (int i = 0; i < 100; ++i)
    caf::anon_send(first, std::vector<transaction>{stream[static_cast<std::size_t>(i)]});
  BOOST_REQUIRE(
    test::eventually([&] { return metrics->stored_rows >= 100; }, std::chrono::seconds(20)));
  BOOST_REQUIRE(metrics->checkpoints.load() >= 2u);
  caf::anon_send_exit(first, caf::exit_reason::kill); // takes its profiles with it
  // The second life restores the checkpoint at offset 79, learns 80..99 from
  // the stored rows, then scores the next transaction.
  auto second = sys.spawn(shard, shc);
  caf::anon_send(second, test::no_global_model());
  caf::anon_send(second, std::vector<transaction>{stream[100]});
  BOOST_REQUIRE(
    test::eventually([&] { return metrics->stored_rows >= 101; }, std::chrono::seconds(20)));
  caf::scoped_actor self{sys};
  self
    ->request(second, std::chrono::seconds(20), release_atom::value, std::vector<std::int32_t>{},
              true)
    .receive([](std::uint64_t n) { BOOST_TEST(n == 1u); },
             [](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
  pqxx::connection c(db.url());
  pqxx::read_transaction r(c);
  pqxx::binarystring bytes(r.exec("select checkpoint from user_profiles")[0][0]);
  auto restored = models::model_codec::load_user_model(
    reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  // What a profile that never crashed would know.
  models::user_model reference{models::model_params{}};
  for (const auto& t : stream) {
    auto input = to_input(t);
    auto x = reference.features(input);
    auto v = reference.assess(x, nullptr, nullptr);
    reference.record(input, x, v, t.transaction_id, {t.partition, t.offset});
  }
  BOOST_TEST((restored == reference));
  BOOST_TEST(restored.learned().offset == 100);
  caf::anon_send_exit(second, caf::exit_reason::user_shutdown);
}
