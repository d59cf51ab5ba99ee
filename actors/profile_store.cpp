#include "actors/profile_store.hpp"

#include "actors/detail/log.hpp"
#include "actors/detail/pg_array.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <chrono>
#include <limits>
#include <map>
#include <pqxx/pqxx>
#include <set>

namespace rtad {

namespace {

using self_ptr = profile_store_actor::stateful_pointer<profile_store_state>;

constexpr std::chrono::milliseconds first_backoff{100};
constexpr long slow_load_ms = 2000; ///< a restore this slow is logged
/// SQLSTATE of a statement cancelled, here by statement_timeout.
constexpr const char* query_canceled = "57014";
/// A checkpoint's replay reads the user's stored rows from a week before
/// the newest transaction it learned (and after its Kafka position): only
/// those days' partitions are read, not every day kept (a restore of 900
/// users over 266 days: 1.5 s, over the week: 25 ms). A row of this user
/// stored after the checkpoint but dated more than a week before its
/// newest transaction is not learned again.
constexpr std::int64_t replay_slack_s = 7 * 86400;

void arm(self_ptr self, std::chrono::milliseconds after) {
  if (self->state.timer_armed)
    return;
  self->state.timer_armed = true;
  self->delayed_send(self, after, flush_atom::value);
}

void run_batch(self_ptr self) {
  auto& st = self->state;
  if (st.waiting.empty())
    return;
  // The users of the oldest requests, up to the batch size.
  std::set<std::string> chosen;
  for (const auto& w : st.waiting)
    if (chosen.size() < st.batch_users)
      chosen.insert(w.first);
  std::vector<std::string> users(chosen.begin(), chosen.end());
  try {
    if (!st.conn || !st.conn->is_open())
      st.conn = std::make_unique<pqxx::connection>(st.cfg.url);
    const auto began = std::chrono::steady_clock::now();
    auto found = load_profiles(*st.conn, users, st.cfg.catch_up_limit);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - began)
                      .count();
    // Their partitions wait meanwhile: the fault campaign's long stalls
    // came with restores that ran into the statement timeout.
    if (ms >= slow_load_ms)
      log::warn("profile_store",
                "slow restore" + log::fields()("users", users.size())("ms", ms).str());
    std::size_t delivered = 0;
    auto rest = std::stable_partition(st.waiting.begin(), st.waiting.end(),
                                      [&](const auto& w) { return !chosen.count(w.first); });
    for (auto it = rest; it != st.waiting.end(); ++it, ++delivered)
      it->second.deliver(found[it->first]);
    st.waiting.erase(rest, st.waiting.end());
    st.cfg.metrics->restores += delivered;
    ++st.cfg.metrics->restore_queries;
    st.backoff = std::chrono::milliseconds{0};
    st.batch_users = std::min(max_batch_users, st.batch_users * 2);
    if (!st.waiting.empty())
      arm(self, std::chrono::milliseconds{0});
  } catch (const std::exception& e) {
    auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
    if (sql && sql->sqlstate() == query_canceled && users.size() > 1) {
      // Too much for one statement on a server this busy: half as many.
      st.batch_users = users.size() / 2;
      log::warn("profile_store",
                "restore cancelled, fewer users at once" +
                  log::fields()("users", users.size())("next", st.batch_users).str());
      arm(self, std::chrono::milliseconds{0});
      return;
    }
    // Profiles wait (their users' transactions queue up, bounded by credit)
    // rather than start from nothing and forget what they learned.
    st.conn.reset();
    st.backoff = std::min(st.cfg.max_backoff, std::max(first_backoff, st.backoff * 2));
    log::warn("profile_store", "load failed, will retry" +
                                 log::fields()("users", users.size())(
                                   "retry_ms", st.backoff.count())("error", log::quote(e.what()))
                                   .str());
    arm(self, st.backoff);
  }
}

} // namespace

std::map<std::string, profile_restore> load_profiles(pqxx::connection& c,
                                                     const std::vector<std::string>& users,
                                                     std::size_t catch_up_limit,
                                                     bool with_checkpoints) {
  std::map<std::string, profile_restore> out;
  // Per user: -2 no checkpoint (replay the latest rows), -1 a checkpoint of
  // transactions not from Kafka (nothing to replay), else its Kafka position.
  std::vector<std::int32_t> partitions(users.size(), -2);
  std::vector<std::int64_t> offsets(users.size(), -1);
  // Epoch seconds from which its stored rows are read: see replay_slack_s.
  std::vector<std::int64_t> since(users.size(), std::numeric_limits<std::int64_t>::min());
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < users.size(); ++i) {
    index[users[i]] = i;
    out[users[i]];
  }
  pqxx::read_transaction r(c);
  auto array = pg_text_array(users);
  auto checkpoints =
    with_checkpoints ? r.exec_params("select user_id, checkpoint, coalesce(learned_partition, -1),"
                                     " coalesce(learned_offset, -1), model_version,"
                                     " extract(epoch from last_transaction_at)::bigint"
                                     " from user_profiles"
                                     " where user_id = any($1::text[]) and checkpoint is not null",
                                     array)
                     : pqxx::result{};
  for (const auto& row : checkpoints) {
    auto user = row[0].as<std::string>();
    auto& p = out[user];
    pqxx::binarystring bytes(row[1]);
    p.found = true;
    p.checkpoint.assign(bytes.begin(), bytes.end());
    p.stored_version = row[4].as<std::uint64_t>();
    partitions[index[user]] = row[2].as<std::int32_t>();
    offsets[index[user]] = row[3].as<std::int64_t>();
    if (!row[5].is_null())
      since[index[user]] = row[5].as<std::int64_t>() - replay_slack_s;
  }
  // Stored transactions the checkpoint has not learned: after its Kafka
  // position, or (no checkpoint) the user's latest ones.
  for (const auto& row : r.exec_params(
         "select u.user_id, t.transaction_id, extract(epoch from t.timestamp)::bigint,"
         " t.amount::float8, t.currency, t.location, t.transaction_type,"
         " coalesce(t.merchant_id, ''), coalesce(t.merchant_name, ''),"
         " coalesce(t.merchant_category, ''), coalesce(t.payment_method, ''),"
         " coalesce(t.device_type, ''), coalesce(t.ip_address, ''),"
         " coalesce(t.kafka_partition, -1), coalesce(t.kafka_offset, -1), t.is_anomaly, t.score"
         " from unnest($1::text[], $2::int[], $3::bigint[], $5::bigint[]) as u(user_id, p, o, s)"
         " cross join lateral (select * from transactions t where t.user_id = u.user_id"
         // A bound on the partition key alone, so that only the days it
         // names are read (run-time pruning), not every day partition.
         "   and t.timestamp >= case when u.s = $6 then '-infinity' else to_timestamp(u.s) end"
         "   and (u.p = -2 or (t.kafka_partition = u.p and t.kafka_offset > u.o))"
         "   order by t.timestamp desc, t.kafka_offset desc limit $4) t"
         " order by u.user_id, t.timestamp, t.kafka_partition, t.kafka_offset",
         array, pg_number_array(partitions), pg_number_array(offsets),
         static_cast<std::int64_t>(catch_up_limit), pg_number_array(since),
         std::numeric_limits<std::int64_t>::min())) {
    stored_transaction s;
    auto& t = s.txn;
    t.transaction_id = row[1].as<std::string>();
    t.user_id = row[0].as<std::string>();
    t.timestamp = row[2].as<std::int64_t>();
    t.amount = row[3].as<double>();
    t.currency = row[4].as<std::string>();
    t.location = row[5].as<std::string>();
    t.transaction_type = row[6].as<std::string>();
    t.merchant_id = row[7].as<std::string>();
    t.merchant_name = row[8].as<std::string>();
    t.merchant_category = row[9].as<std::string>();
    t.payment_method = row[10].as<std::string>();
    t.device_type = row[11].as<std::string>();
    t.ip_address = row[12].as<std::string>();
    t.partition = row[13].as<std::int32_t>();
    t.offset = row[14].as<std::int64_t>();
    s.anomalous = row[15].as<bool>();
    s.score = row[16].as<double>();
    out[t.user_id].catch_up.push_back(std::move(s));
  }
  for (const auto& row : r.exec_params("select id, transaction_id, user_id, label from labels"
                                       " where user_id = any($1::text[]) and applied_at is null"
                                       " order by id",
                                       array)) {
    label l;
    l.id = row[0].as<std::int64_t>();
    l.transaction_id = row[1].as<std::string>();
    l.user_id = row[2].as<std::string>();
    l.confirmed_fraud = row[3].as<std::string>() == "confirmed_fraud";
    out[l.user_id].labels.push_back(std::move(l));
  }
  return out;
}

profile_store_actor::behavior_type profile_store(self_ptr self, profile_store_config cfg) {
  self->state.cfg = std::move(cfg);
  return {
    [=](load_atom, std::string& user) {
      auto promise = self->make_response_promise<profile_restore>();
      self->state.waiting.emplace_back(std::move(user), promise);
      arm(self,
          self->state.backoff.count() > 0 ? self->state.backoff : self->state.cfg.batch_delay);
      return promise;
    },
    [=](flush_atom) {
      self->state.timer_armed = false;
      run_batch(self);
    },
    [=](ping_atom) { return ping_atom::value; },
  };
}

} // namespace rtad
