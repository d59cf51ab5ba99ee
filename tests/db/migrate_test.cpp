#define BOOST_TEST_MODULE db migrations
#include "db/migrate.hpp"
#include "support/scratch_db.hpp"

#include <pqxx/pqxx>

namespace {

std::string fraud_insert(const std::string& id) {
  return "insert into frauds (transaction_id, user_id, amount, currency, location, timestamp,"
         " transaction_type, detection_score, risk_level, model_used, threshold) values ('" +
         id + "', 'u1', 12.5, 'USD', 'US', now(), 'purchase', 0.8, 'high', 'user', 0.6)";
}

struct collector : pqxx::notification_receiver {
  std::vector<std::string> payloads;
  collector(pqxx::connection& c, const std::string& channel) : notification_receiver(c, channel) {}
  void operator()(const std::string& payload, int) override { payloads.push_back(payload); }
};

} // namespace

BOOST_AUTO_TEST_CASE(migrations_apply_once_and_again_do_nothing) {
  rtad::test::scratch_db db;
  pqxx::connection c(db.url());
  BOOST_TEST(rtad::db::schema_version(c) == 0);
  auto first = rtad::db::migrate(c);
  BOOST_TEST(first.size() == rtad::db::migrations().size());
  BOOST_TEST(rtad::db::migrate(c).empty());
  BOOST_TEST(rtad::db::schema_version(c) == rtad::db::migrations().back().version);
  pqxx::read_transaction r(c);
  for (const auto& t : rtad::db::data_tables())
    BOOST_TEST(r.exec("select to_regclass('" + t + "') is not null")[0][0].as<bool>(), t);
}

BOOST_AUTO_TEST_CASE(transactions_are_partitioned_by_day_and_duplicates_are_caught) {
  rtad::test::scratch_db db;
  pqxx::connection c(db.url());
  rtad::db::migrate(c);
  pqxx::work w(c);
  w.exec("select rtad_ensure_partitions('2026-01-01', '2026-01-03')");
  w.exec("select rtad_ensure_partitions('2026-01-02', '2026-01-02')"); // idempotent
  auto insert = "insert into transactions (transaction_id, timestamp, user_id, amount, currency,"
                " location, transaction_type, score, threshold, is_anomaly, model_used) values"
                " ('t1', '2026-01-02 10:00+00', 'u', 1, 'USD', 'US', 'purchase', 0.4, 0.6,"
                " false, 'global') on conflict do nothing";
  BOOST_TEST(w.exec(insert).affected_rows() == 1u);
  BOOST_TEST(w.exec(insert).affected_rows() == 0u);
  BOOST_TEST(w.exec("select count(*) from transactions_20260102")[0][0].as<int>() == 1);
}

BOOST_AUTO_TEST_CASE(retention_counts_days_from_the_clock_so_a_far_future_day_drops_nothing) {
  rtad::test::scratch_db db;
  pqxx::connection c(db.url());
  rtad::db::migrate(c);
  pqxx::work w(c);
  w.exec("set time zone 'UTC'");
  w.exec("select rtad_ensure_partitions(current_date - 40, current_date)");
  // What one message stamped 2099 left behind before input.max_future_s.
  w.exec("select rtad_ensure_partitions('2099-01-01', '2099-01-01')");
  auto partitions = [&] {
    return w
      .exec("select count(*) from pg_inherits i join pg_class p on p.oid = i.inhparent"
            " where p.relname = 'transactions'")[0][0]
      .as<int>();
  };
  BOOST_TEST(partitions() == 42);
  // The 10 days before the last 30 go; 2099 neither counts nor goes.
  BOOST_TEST(w.exec("select rtad_drop_old_partitions(30)")[0][0].as<int>() == 10);
  BOOST_TEST(partitions() == 32);
  BOOST_TEST(w.exec("select to_regclass('transactions_20990101') is not null")[0][0].as<bool>());
  BOOST_TEST(w.exec("select to_regclass(format('transactions_%s', to_char(current_date - 30,"
                    " 'YYYYMMDD'))) is not null")[0][0]
               .as<bool>());
  BOOST_CHECK_THROW(w.exec("select rtad_drop_old_partitions(0)"), pqxx::sql_error);
}

BOOST_AUTO_TEST_CASE(a_new_anomaly_and_a_label_are_announced) {
  rtad::test::scratch_db db;
  pqxx::connection c(db.url());
  rtad::db::migrate(c);
  pqxx::connection listener(db.url());
  collector anomalies(listener, "rtad_anomalies");
  collector labels(listener, "rtad_labels");
  {
    pqxx::work w(c);
    w.exec(fraud_insert("t-42"));
    w.commit();
  }
  {
    pqxx::work w(c);
    w.exec("insert into labels (transaction_id, user_id, label, note) values"
           " ('t-42', 'u1', 'false_positive', 'customer confirmed')");
    w.commit();
  }
  for (int i = 0; i < 50 && (anomalies.payloads.empty() || labels.payloads.empty()); ++i)
    listener.await_notification(0, 100000);
  BOOST_REQUIRE(anomalies.payloads.size() == 1u);
  BOOST_TEST(anomalies.payloads[0].find("\"transaction_id\" : \"t-42\"") != std::string::npos);
  BOOST_REQUIRE(labels.payloads.size() == 1u);
  BOOST_TEST(labels.payloads[0].find("false_positive") != std::string::npos);
  pqxx::read_transaction r(c);
  auto row = r.exec("select is_confirmed_fraud, notes from frauds where transaction_id = 't-42'");
  BOOST_TEST(row[0][0].as<bool>() == false);
  BOOST_TEST(row[0][1].as<std::string>() == "customer confirmed");
}

BOOST_AUTO_TEST_CASE(reset_empties_every_table_but_keeps_the_schema) {
  rtad::test::scratch_db db;
  pqxx::connection c(db.url());
  rtad::db::migrate(c);
  {
    pqxx::work w(c);
    w.exec(fraud_insert("t-1"));
    w.exec("select rtad_ensure_partitions(current_date, current_date)");
    w.commit();
  }
  rtad::db::reset(c);
  BOOST_TEST(rtad::db::schema_version(c) == rtad::db::migrations().back().version);
  pqxx::read_transaction r(c);
  BOOST_TEST(r.exec("select count(*) from frauds")[0][0].as<int>() == 0);
  BOOST_TEST(r.exec("select count(*) from pg_inherits i join pg_class p on p.oid = i.inhparent"
                    " where p.relname = 'transactions'")[0][0]
               .as<int>() == 0);
}
