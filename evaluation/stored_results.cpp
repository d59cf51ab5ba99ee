#include "evaluation/stored_results.hpp"

#include <pqxx/pqxx>
#include <stdexcept>

namespace rtad::eval {

namespace {
constexpr int rows_per_fetch = 50000;
} // namespace

stored_results read_stored_results(pqxx::connection& c) {
  pqxx::read_transaction tx(c);
  if (tx.exec("select to_regclass('transactions') is null")[0][0].as<bool>())
    throw std::runtime_error(
      "the database has no rtad schema (run `rtad db init` and the node first)");
  stored_results out;
  tx.exec("declare rtad_eval_rows no scroll cursor for"
          " select transaction_id, user_id, extract(epoch from timestamp)::bigint, score,"
          " is_anomaly, ground_truth, coalesce(fraud_type, '') from transactions");
  for (;;) {
    auto rows = tx.exec("fetch forward " + std::to_string(rows_per_fetch) + " from rtad_eval_rows");
    for (const auto& row : rows) {
      scored_record s{row[0].as<std::string>(), row[3].as<double>(), row[4].as<bool>()};
      if (row[5].is_null()) {
        ++out.unlabelled;
      } else {
        out.truth.push_back({s.transaction_id, row[1].as<std::string>(), row[2].as<std::int64_t>(),
                             row[5].as<bool>(), row[6].as<std::string>()});
      }
      out.scores.push_back(std::move(s));
    }
    if (rows.size() < static_cast<std::size_t>(rows_per_fetch))
      break;
  }
  if (out.scores.empty() && tx.exec("select exists (select 1 from frauds)")[0][0].as<bool>())
    throw std::runtime_error("table transactions is empty but frauds is not: the node stored only "
                             "anomalies (set sink.store_all = true to evaluate)");
  return out;
}

} // namespace rtad::eval
