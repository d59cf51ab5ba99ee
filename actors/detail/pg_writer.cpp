#include "actors/detail/pg_writer.hpp"

#include "actors/detail/log.hpp"
#include "actors/detail/pg_array.hpp"
#include "messages/codec.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <pqxx/pqxx>
#include <string_view>
#include <unordered_map>

namespace rtad {

namespace {

constexpr std::int64_t seconds_per_day = 86400;
/// Day partitions created in one transaction, at most (each takes locks
/// until its commit; PostgreSQL's lock table is max_locks_per_transaction
/// times the connections).
constexpr std::size_t max_days_per_transaction = 16;
/// How long creating or dropping a day partition may wait for its lock on
/// `transactions`. Dropping needs the table to itself (creating, since
/// migration 008, no longer does), and while it waits every later
/// statement on the table (other writers, the profile store's restores)
/// queues behind it: a transaction held open by a stopped node (SIGSTOP)
/// stalled both nodes of the fault campaign for the statement timeout.
/// Giving up soon is a transient failure, retried with backoff.
constexpr const char* ddl_lock_timeout = "set local lock_timeout = '1s'";
constexpr const char* store_statement = "rtad_store";
constexpr const char* offset_statement = "rtad_offset";
constexpr const char* notify_statement = "rtad_notify";
constexpr const char* fence_statement = "rtad_fence";

constexpr const char* staging_ddl =
  "create temp table if not exists rtad_staging ("
  " transaction_id text, ts bigint, user_id text, amount numeric, currency text, location text,"
  " transaction_type text, merchant_id text, merchant_name text, merchant_category text,"
  " payment_method text, device_type text, ip_address text, score float8, threshold float8,"
  " is_anomaly boolean, model_used text, ground_truth smallint, fraud_type text,"
  " kafka_partition integer, kafka_offset bigint, risk text, explanation text,"
  " detection_features text) on commit delete rows";

constexpr const char* checkpoint_staging_ddl =
  "create temp table if not exists rtad_checkpoint_staging ("
  " user_id text, model_version bigint, history_size integer, trees integer, threshold float8,"
  " frozen boolean, last_retrain bigint, last_transaction_at bigint, learned_partition integer,"
  " learned_offset bigint, summary text, checkpoint bytea) on commit delete rows";

constexpr const char* staging_columns_sql =
  "transaction_id, to_timestamp(ts), user_id, amount, currency, location, transaction_type,"
  " nullif(merchant_id, ''), nullif(merchant_name, ''), nullif(merchant_category, ''),"
  " nullif(payment_method, ''), nullif(device_type, ''), nullif(ip_address, '')";

/// The shortest text that reads back as `x` ("inf" and "nan" as printf
/// spells them); printf's %.17g was 2-3 % of a node's CPU with every row stored.
std::string number(double x) {
  char buf[32];
  auto end = std::to_chars(buf, buf + sizeof buf, x).ptr;
  return std::string(buf, end);
}

/// One staging row; stream_to escapes each field for COPY.
using staging_row = std::array<std::string, 24>;

staging_row copy_row(const scored_transaction& s) {
  const auto& t = s.txn;
  return {t.transaction_id,
          std::to_string(t.timestamp),
          t.user_id,
          number(t.amount),
          t.currency,
          t.location,
          t.transaction_type,
          t.merchant_id,
          t.merchant_name,
          t.merchant_category,
          t.payment_method,
          t.device_type,
          t.ip_address,
          number(s.score),
          number(s.threshold),
          s.anomalous ? "t" : "f",
          s.model_used,
          std::to_string(static_cast<int>(t.anomalous)),
          t.fraud_type,
          std::to_string(t.partition),
          std::to_string(t.offset),
          s.risk,
          s.explanation,
          s.detection_features.empty() ? "{}" : s.detection_features};
}

/// bytea in PostgreSQL's hex text form; stream_to escapes its backslash for COPY.
std::string bytea_hex(const std::vector<std::uint8_t>& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + 2 * bytes.size());
  for (auto b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

using checkpoint_row = std::array<std::string, 12>;

checkpoint_row copy_row(const profile_checkpoint& c) {
  return {c.user_id,
          std::to_string(c.model_version),
          std::to_string(c.history_size),
          std::to_string(c.trees),
          number(c.threshold),
          c.frozen ? "t" : "f",
          std::to_string(c.last_retrain),
          std::to_string(c.last_transaction_at),
          std::to_string(c.learned_partition),
          std::to_string(c.learned_offset),
          c.summary_json.empty() ? std::string("{}") : c.summary_json,
          bytea_hex(c.bytes)};
}

/// Inserts the staged rows: into `transactions` (when every row is stored)
/// and their anomalies into `frauds`, and queues those anomalies for the
/// anomalies topic when it is on (`publish`). $1 is the node.
std::string store_sql(bool store_all, bool publish) {
  // A replayed transaction keeps the verdict it was first stored with:
  // frauds only takes rows that transactions took now.
  std::string frauds =
    std::string("insert into frauds (transaction_id, timestamp, user_id, amount, currency,"
                " location, transaction_type, merchant_id, merchant_name, merchant_category,"
                " payment_method, device_type, ip_address, detection_score, threshold,"
                " risk_level, model_used, explanation, detection_features, ground_truth,"
                " fraud_type, node, kafka_partition, kafka_offset) select ") +
    staging_columns_sql +
    ", score, threshold, risk, model_used, nullif(explanation, ''), detection_features::jsonb,"
    " case when ground_truth < 0 then null else ground_truth = 1 end, nullif(fraud_type, ''),"
    " $1, nullif(kafka_partition, -1), nullif(kafka_offset, -1) from rtad_staging s"
    " where is_anomaly";
  // Only what frauds took now is queued: a replay is not published twice.
  const std::string queue = publish ? " returning transaction_id), queued as (insert into"
                                      " anomaly_outbox (transaction_id) select transaction_id"
                                      " from flagged on conflict do nothing returning 1) "
                                      "select count(*) from queued"
                                    : ") select 1";
  if (!store_all)
    return "with flagged as (" + frauds + " on conflict (transaction_id) do nothing" + queue;
  return std::string("with stored as (insert into transactions (transaction_id,"
                     " timestamp, user_id, amount, currency, location, transaction_type,"
                     " merchant_id, merchant_name, merchant_category, payment_method,"
                     " device_type, ip_address, score, threshold, is_anomaly, model_used,"
                     " ground_truth, fraud_type, node, kafka_partition, kafka_offset)"
                     " select ") +
         staging_columns_sql +
         ", score, threshold, is_anomaly, model_used,"
         " case when ground_truth < 0 then null else ground_truth = 1 end,"
         " nullif(fraud_type, ''), $1, nullif(kafka_partition, -1),"
         " nullif(kafka_offset, -1) from rtad_staging on conflict do nothing"
         " returning transaction_id), flagged as (" +
         frauds +
         " and transaction_id in (select transaction_id from stored)"
         " on conflict (transaction_id) do nothing" +
         queue;
}

/// Stores one quarantined message, queued for the quarantine topic when it
/// is on (`publish`): only what was stored now. $1..$7 as in write().
std::string quarantine_sql(bool publish) {
  const std::string insert =
    "insert into quarantine (topic, kafka_partition, kafka_offset, message_key, raw, reason,"
    " node) values ($1, $2, $3, $4, $5, $6, $7)"
    " on conflict (topic, kafka_partition, kafka_offset) do nothing";
  if (!publish)
    return insert;
  return "with stored as (" + insert +
         " returning id) insert into quarantine_outbox (id) select id from stored";
}

} // namespace

pg_writer::pg_writer(pg_writer_config cfg)
    : cfg_(std::move(cfg)), quarantine_sql_(quarantine_sql(cfg_.publish_quarantine)) {}

pg_writer::~pg_writer() = default;

void pg_writer::reset() {
  conn_.reset();
  // Another writer's retention may have dropped a day this one knew.
  known_days_.clear();
}

void pg_writer::connect() {
  if (conn_ && conn_->is_open())
    return;
  conn_ = std::make_unique<pqxx::connection>(cfg_.url);
  pqxx::nontransaction n(*conn_);
  // Day partitions and to_timestamp are in UTC whatever the server says.
  n.exec("set time zone 'UTC'");
  n.exec(staging_ddl);
  n.exec(checkpoint_staging_ddl);
  // Prepared once per connection: at a few hundred rows a batch, parsing
  // and planning these for every batch was a visible share of PostgreSQL's CPU.
  conn_->prepare(store_statement, store_sql(cfg_.store_all, cfg_.publish_anomalies));
  conn_->prepare(offset_statement,
                 "insert into kafka_offsets (consumer_group, topic, kafka_partition, next_offset,"
                 " node, updated_at) values ($1, $2, $3, $4, $5, now())"
                 " on conflict (consumer_group, topic, kafka_partition) do update set"
                 " next_offset = greatest(kafka_offsets.next_offset, excluded.next_offset),"
                 " node = excluded.node, updated_at = now()");
  // FOR SHARE: a claim (an update of the row) waits for this transaction,
  // and this one, if it comes second, sees the claim.
  conn_->prepare(fence_statement,
                 "select kafka_partition, node, owner_epoch, handover_from, handover_epoch"
                 " from kafka_offsets"
                 " where consumer_group = $1 and topic = $2 and kafka_partition = any($3::int[])"
                 " for share");
  conn_->prepare(notify_statement,
                 "select pg_notify('rtad_batches', json_build_object('node', $1::text,"
                 " 'rows', $2::int, 'anomalies', $3::int,"
                 " 'scored_at_us', (extract(epoch from now()) * 1000000)::bigint)::text)");
}

void pg_writer::ensure_partitions(const write_batch& b) {
  // Only the days the rows are on, never the days between: a range from the
  // oldest to the newest row once asked for every day up to 2099 because of
  // one message, in one transaction that ran out of lock memory.
  std::set<std::int64_t> missing;
  for (const auto* r : b.rows) {
    auto day = r->txn.timestamp / seconds_per_day;
    if (!known_days_.count(day))
      missing.insert(day);
  }
  // In short transactions of their own, committed at once: creating a
  // partition locks `transactions` whole, and held until the batch commits
  // that lock would make the sink's other writers wait for this one. A few
  // days each, so one transaction holds a bounded number of locks.
  std::vector<std::int64_t> days(missing.begin(), missing.end());
  for (std::size_t at = 0; at < days.size(); at += max_days_per_transaction) {
    std::vector<std::int64_t> chunk(
      days.begin() + static_cast<long>(at),
      days.begin() + static_cast<long>(std::min(days.size(), at + max_days_per_transaction)));
    pqxx::work w(*conn_);
    w.exec(ddl_lock_timeout);
    w.exec_params("select rtad_ensure_partitions(d, d) from"
                  " (select to_timestamp(x * 86400)::date as d from unnest($1::bigint[]) x) s",
                  pg_number_array(chunk));
    w.commit();
    known_days_.insert(chunk.begin(), chunk.end());
  }
}

const write_batch& pg_writer::fence(pqxx::work& w, const write_batch& in, write_batch& kept) {
  if (in.owner_epochs.empty())
    return in;
  std::vector<std::int32_t> partitions;
  for (const auto& [p, epoch] : in.owner_epochs)
    partitions.push_back(p);
  std::set<std::int32_t> lost, handing_over;
  std::string holders;
  for (const auto& row :
       w.exec_prepared(fence_statement, cfg_.group, cfg_.topic, pg_number_array(partitions))) {
    auto p = row[0].as<std::int32_t>();
    auto node = row[1].is_null() ? std::string() : row[1].as<std::string>();
    auto epoch = row[2].as<std::int64_t>();
    if (node != cfg_.node || epoch != in.owner_epochs.at(p)) {
      lost.insert(p);
      holders += (holders.empty() ? "" : ",") + std::to_string(p) + ":" + node;
      // Handed over under the claim this batch was given, and the new
      // owner still waits for it: its checkpoints go in (011).
      if (!row[3].is_null() && row[3].as<std::string>() == cfg_.node && !row[4].is_null() &&
          row[4].as<std::int64_t>() == in.owner_epochs.at(p))
        handing_over.insert(p);
    }
  }
  if (lost.empty())
    return in;
  kept = in;
  auto gone = [&](std::int32_t p) { return lost.count(p) > 0; };
  auto erase_if = [](auto& v, auto pred) {
    v.erase(std::remove_if(v.begin(), v.end(), pred), v.end());
  };
  erase_if(kept.rows, [&](const auto* r) { return gone(r->txn.partition); });
  erase_if(kept.quarantined, [&](const auto* q) { return gone(q->partition); });
  // A checkpoint learnt from rows that are not stored would make the new
  // owner's model learn them twice. (With an unkeyed producer a user's
  // newest transaction may come through a partition this node handed over
  // in good order, whose claim is then another node's too: that checkpoint
  // is left out as well, until issue 16 keeps each user on one partition.)
  erase_if(kept.checkpoints, [&](const auto* c) {
    return gone(c->learned_partition) && !handing_over.count(c->learned_partition);
  });
  for (auto p : lost)
    kept.watermarks.erase(p);
  auto left_out =
    (in.rows.size() - kept.rows.size()) + (in.quarantined.size() - kept.quarantined.size());
  fenced_total_ += left_out;
  if (left_out == 0 &&
      std::includes(handing_over.begin(), handing_over.end(), lost.begin(), lost.end()))
    return kept; // a hand-over's checkpoints: nothing was left out
  log::warn("sink", "partitions claimed by another node since: their rows, offsets and checkpoints"
                    " are left to it" +
                      log::fields()("partitions", holders)("rows", left_out).str());
  return kept;
}

void pg_writer::write(const write_batch& in) {
  if (in.empty())
    return;
  connect();
  ensure_partitions(in);
  pqxx::work w(*conn_);
  write_batch kept;
  const auto& b = fence(w, in, kept);
  if (!b.rows.empty()) {
    {
      pqxx::stream_to copy(w, "rtad_staging");
      for (const auto* r : b.rows)
        if (cfg_.store_all || r->anomalous) // only anomalies are kept otherwise: copy only them
          copy << copy_row(*r);
      copy.complete();
    }
    w.exec_prepared(store_statement, cfg_.node);
  }
  for (const auto* q : b.quarantined)
    w.exec_params(quarantine_sql_, q->topic,
                  q->origin_partition >= 0 ? q->origin_partition : q->partition,
                  q->origin_partition >= 0 ? q->origin_offset : q->offset,
                  pqxx::binarystring(q->key), pqxx::binarystring(q->raw), q->reason, cfg_.node);
  if (!b.checkpoints.empty())
    write_checkpoints(w, b);
  if (const auto* g = b.global)
    w.exec_params(
      "insert into global_models (mode, node, version, rows_seen, checkpoint, updated_at)"
      " values ($1, $2, $3, $4, $5, now()) on conflict (mode) do update set"
      " node = excluded.node, version = excluded.version,"
      " rows_seen = excluded.rows_seen, checkpoint = excluded.checkpoint,"
      " updated_at = now()",
      g->mode, cfg_.node, static_cast<std::int64_t>(g->version), static_cast<std::int64_t>(g->rows),
      pqxx::binarystring(g->bytes.data(), g->bytes.size()));
  if (!b.applied_labels.empty()) {
    std::string ids = "{";
    for (auto id : b.applied_labels)
      ids += (ids.size() > 1 ? "," : "") + std::to_string(id);
    ids += "}";
    w.exec_params(
      "update labels set applied_at = now(), applied_by = $1 where id = any($2::bigint[])",
      cfg_.node, ids);
  }
  for (const auto& [partition, next] : b.watermarks)
    w.exec_prepared(offset_statement, cfg_.group, cfg_.topic, partition, next, cfg_.node);
  if (!b.rows.empty())
    // scored_at_us names the batch's rows (their scored_at): with several
    // writers, batches do not commit in the order their transactions began.
    w.exec_prepared(notify_statement, cfg_.node, static_cast<int>(b.rows.size()),
                    static_cast<int>(std::count_if(b.rows.begin(), b.rows.end(),
                                                   [](const auto* r) { return r->anomalous; })));
  w.commit();
}

void pg_writer::write_checkpoints(pqxx::work& w, const write_batch& b) {
  // A rebalance hands over thousands of profiles at once: one COPY and one
  // upsert instead of a round trip each. The newest checkpoint of a user in
  // the batch wins, as a row may be changed only once per statement.
  std::unordered_map<std::string_view, const profile_checkpoint*> newest;
  for (const auto* c : b.checkpoints)
    newest[c->user_id] = c;
  {
    pqxx::stream_to copy(w, "rtad_checkpoint_staging");
    for (const auto* c : b.checkpoints)
      if (newest[c->user_id] == c)
        copy << copy_row(*c);
    copy.complete();
  }
  // A checkpoint never goes back: a node that lost the user's partition
  // (stopped, cut off) and writes an older model when it wakes up must not
  // undo what the new owner learnt. Newer means more refits, or as many and
  // a later transaction learnt.
  w.exec_params(
    "insert into user_profiles (user_id, node, model_version, history_size, trees, threshold,"
    " frozen, last_retrain, last_transaction_at, learned_partition, learned_offset, summary,"
    " checkpoint, updated_at) select user_id, $1, model_version, history_size, trees, threshold,"
    " frozen, case when last_retrain > 0 then to_timestamp(last_retrain) end,"
    " case when last_transaction_at > 0 then to_timestamp(last_transaction_at) end,"
    " learned_partition, learned_offset, summary::jsonb, checkpoint, now()"
    " from rtad_checkpoint_staging"
    " on conflict (user_id) do update set node = excluded.node,"
    " model_version = excluded.model_version, history_size = excluded.history_size,"
    " trees = excluded.trees, threshold = excluded.threshold, frozen = excluded.frozen,"
    " last_retrain = excluded.last_retrain, last_transaction_at = excluded.last_transaction_at,"
    " learned_partition = excluded.learned_partition, learned_offset = excluded.learned_offset,"
    " summary = excluded.summary, checkpoint = excluded.checkpoint, updated_at = now()" +
      std::string(
        b.keep_stored_checkpoints
          ? " where user_profiles.checkpoint is null"
          : " where (user_profiles.model_version, coalesce(user_profiles.learned_offset, -1))"
            " <= (excluded.model_version, coalesce(excluded.learned_offset, -1))"),
    cfg_.node);
}

bool refuses_a_record(const std::exception& e) {
  const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
  if (!sql || dynamic_cast<const pqxx::broken_connection*>(&e))
    return false;
  const auto& state = sql->sqlstate();
  // Class 22 is data exception (invalid byte sequence, malformed array
  // literal, numeric out of range, ...), 23 integrity constraint violation;
  // 54000 is a value over a program limit (an index row too large).
  return state.rfind("22", 0) == 0 || state.rfind("23", 0) == 0 || state == "54000";
}

std::vector<refused_row> pg_writer::write_isolating(const write_batch& b) {
  try {
    write(b);
    return {};
  } catch (const std::exception& e) {
    if (!refuses_a_record(e) || b.rows.empty())
      throw;
  }
  // Halve the rows until each refused one stands alone; the others commit
  // on the way, without the offsets, which wait for the rest below.
  // A fresh connection after each refusal (a failed COPY may leave it in
  // any state), and the days checked again ("no partition for row" is a day
  // another writer's retention dropped, not a bad row).
  reset();
  std::vector<refused_row> refused;
  isolate(b.rows, b.owner_epochs, refused);
  std::vector<quarantine_entry> entries;
  for (const auto& r : refused) {
    quarantine_entry q;
    q.topic = cfg_.topic;
    q.partition = r.row->txn.partition;
    q.offset = r.row->txn.offset;
    q.key = r.row->txn.user_id;
    try {
      q.raw = encode_transaction(r.row->txn);
    } catch (const std::exception&) { // the JSON writer refuses invalid UTF-8
      q.raw = r.row->txn.transaction_id;
    }
    q.reason = "refused by PostgreSQL: " + r.error;
    entries.push_back(std::move(q));
  }
  write_batch rest = b;
  rest.rows.clear();
  for (const auto& q : entries)
    rest.quarantined.push_back(&q);
  write(rest);
  return refused;
}

void pg_writer::isolate(const std::vector<const scored_transaction*>& rows,
                        const std::map<std::int32_t, std::int64_t>& owner_epochs,
                        std::vector<refused_row>& refused) {
  write_batch part;
  part.rows = rows;
  part.owner_epochs = owner_epochs;
  try {
    write(part);
    return;
  } catch (const std::exception& e) {
    if (!refuses_a_record(e))
      throw;
    reset();
    if (rows.size() == 1) {
      // Stored as text: only printable ASCII of the first line, at most 300 bytes.
      std::string why;
      for (const char* c = e.what(); *c && *c != '\n' && why.size() < 300; ++c)
        why += *c >= 0x20 && *c < 0x7f ? *c : '?';
      refused.push_back({rows.front(), why});
      return;
    }
  }
  auto half = rows.begin() + static_cast<long>(rows.size() / 2);
  isolate({rows.begin(), half}, owner_epochs, refused);
  isolate({half, rows.end()}, owner_epochs, refused);
}

int pg_writer::apply_retention() {
  connect();
  pqxx::work w(*conn_);
  w.exec(ddl_lock_timeout);
  auto r = w.exec_params("select rtad_drop_old_partitions($1)", cfg_.retention_days);
  w.commit();
  known_days_.clear();
  return r[0][0].as<int>();
}

} // namespace rtad
