#define BOOST_TEST_MODULE profile passivation
#include "actors/profile_store.hpp"
#include "actors/shard.hpp"
#include "actors/sink.hpp"
#include "actors/system_config.hpp"
#include "db/migrate.hpp"
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

} // namespace

BOOST_AUTO_TEST_CASE(a_passivated_and_restored_profile_scores_as_one_that_stayed_in_memory) {
  test::scratch_db db("rtad_passivation");
  {
    pqxx::connection c(db.url());
    db::migrate(c);
  }
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  auto metrics = std::make_shared<node_metrics>();
  sink_config sc;
  sc.writer = {db.url(), "n1", "g", "t", true, 30};
  sc.flush_interval = std::chrono::milliseconds(10);
  sc.metrics = metrics;
  auto sink_handle = sys.spawn<caf::detached>(sink, sc);
  profile_store_config pc;
  pc.url = db.url();
  pc.metrics = metrics;
  auto store = sys.spawn<caf::detached>(profile_store, pc);
  shard_config base;
  base.profile.params = models::model_params{};
  base.profile.sink = sink_handle;
  base.profile.store = store;
  base.profile.metrics = metrics;
  base.tick_interval = std::chrono::milliseconds(50);
  auto forgetful_cfg = base;
  forgetful_cfg.passivate_after = std::chrono::seconds(0); // every idle moment
  auto steady_cfg = base;
  steady_cfg.passivate_after = std::chrono::hours(1);
  auto forgetful = sys.spawn(shard, forgetful_cfg);
  auto steady = sys.spawn(shard, steady_cfg);

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
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(sink_handle, caf::exit_reason::user_shutdown);
}
