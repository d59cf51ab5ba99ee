#define BOOST_TEST_MODULE evaluation reads what the node stored
#include "db/migrate.hpp"
#include "evaluation/evaluate.hpp"
#include "evaluation/stored_results.hpp"
#include "support/scratch_db.hpp"

#include <pqxx/pqxx>

using namespace rtad::eval;

namespace {

void insert(pqxx::work& w, const std::string& id, const std::string& user, double score,
            bool flagged, const std::string& truth, const std::string& type) {
  w.exec("insert into transactions (transaction_id, timestamp, user_id, amount, currency,"
         " location, transaction_type, score, threshold, is_anomaly, model_used, ground_truth,"
         " fraud_type) values (" +
         w.quote(id) + ", '2026-01-02 10:00:00+00', " + w.quote(user) +
         ", 12.5, 'USD', 'US', 'purchase', " + std::to_string(score) + ", 0.6, " +
         (flagged ? "true" : "false") + ", 'user', " + truth + ", " +
         (type.empty() ? "null" : w.quote(type)) + ")");
}

} // namespace

BOOST_AUTO_TEST_CASE(stored_verdicts_and_ground_truth_are_judged) {
  rtad::test::scratch_db db;
  pqxx::connection c(db.url());
  rtad::db::migrate(c);
  {
    pqxx::work w(c);
    w.exec("select rtad_ensure_partitions('2026-01-02', '2026-01-02')");
    insert(w, "t1", "u1", 0.9, true, "true", "amount_spike");
    insert(w, "t2", "u1", 0.7, true, "false", "");
    insert(w, "t3", "u2", 0.4, false, "true", "card_testing");
    insert(w, "t4", "u2", 0.1, false, "false", "benign_trip");
    insert(w, "t5", "u3", 0.2, false, "null", ""); // not from `rtad produce`
    w.commit();
  }
  const auto stored = read_stored_results(c);
  BOOST_TEST(stored.scores.size() == 5u);
  BOOST_TEST(stored.truth.size() == 4u);
  BOOST_TEST(stored.unlabelled == 1u);
  const auto r = evaluate(stored.truth, stored.scores);
  BOOST_TEST(r.joined == 4u);
  BOOST_TEST(r.unknown == 1u);
  BOOST_TEST(r.decisions.precision() == 0.5);
  BOOST_TEST(r.decisions.recall() == 0.5);
  BOOST_TEST(r.pr_auc == 1.0 * 0.5 + 0.5 * (2.0 / 3.0)); // t1 P, t2 N, t3 P
  BOOST_TEST(r.benign.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_database_without_schema_or_with_only_anomalies_is_explained) {
  rtad::test::scratch_db db;
  pqxx::connection c(db.url());
  BOOST_CHECK_EXCEPTION(read_stored_results(c), std::runtime_error,
                        [](const std::runtime_error& e) {
                          return std::string(e.what()).find("rtad db init") != std::string::npos;
                        });
  rtad::db::migrate(c);
  {
    pqxx::work w(c);
    w.exec("insert into frauds (transaction_id, user_id, amount, currency, location, timestamp,"
           " transaction_type, detection_score, risk_level, model_used, threshold) values"
           " ('t1', 'u1', 12.5, 'USD', 'US', now(), 'purchase', 0.8, 'high', 'user', 0.6)");
    w.commit();
  }
  BOOST_CHECK_EXCEPTION(read_stored_results(c), std::runtime_error,
                        [](const std::runtime_error& e) {
                          return std::string(e.what()).find("store_all") != std::string::npos;
                        });
}
