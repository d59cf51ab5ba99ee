#pragma once

#include "config/defaults.hpp"
#include "messages/results.hpp"

#include <map>
#include <memory>
#include <pqxx/connection>
#include <pqxx/transaction>
#include <set>
#include <string>
#include <vector>

namespace rtad {

/// Where and as whom the sink writes.
struct pg_writer_config {
  std::string url;
  std::string node;
  std::string group;
  std::string topic;
  bool store_all = defaults::sink::store_all;
  int retention_days = defaults::sink::retention_days;
  bool publish_anomalies = false;  ///< stored anomalies into anomaly_outbox
  bool publish_quarantine = false; ///< quarantined messages into quarantine_outbox
};

/// Everything one PostgreSQL transaction of the sink writes.
struct write_batch {
  std::vector<const scored_transaction*> rows;
  std::vector<const quarantine_entry*> quarantined;
  std::vector<const profile_checkpoint*> checkpoints;
  std::vector<std::int64_t> applied_labels;
  const global_checkpoint* global = nullptr;
  /// Leave a checkpoint already stored as it is: a bootstrap must not
  /// overwrite what a node learned meanwhile.
  bool keep_stored_checkpoints = false;
  std::map<std::int32_t, std::int64_t> watermarks; ///< partition -> next offset
  /// partition -> this node's claim on it (kafka_offsets.owner_epoch): what
  /// belongs to a partition claimed since by another node is not written.
  std::map<std::int32_t, std::int64_t> owner_epochs;
  bool empty() const {
    return rows.empty() && quarantined.empty() && checkpoints.empty() && applied_labels.empty() &&
           watermarks.empty() && !global;
  }
};

/// A row PostgreSQL refuses for good, and what it said.
struct refused_row {
  const scored_transaction* row;
  std::string error;
};

/// True when `e` is PostgreSQL refusing some record of a statement (bad
/// encoding, malformed literal, value out of range, constraint): the same
/// rows fail again however often they are retried. Anything else (connection
/// lost, timeout, serialization failure, shutdown, ...) may pass on retry.
bool refuses_a_record(const std::exception& e);

/// The sink's SQL: one batch per transaction; rows are COPYed into a staging
/// table, then inserted with ON CONFLICT DO NOTHING so replays are harmless;
/// offsets and checkpoints commit with them. Throws pqxx errors on failure,
/// after which the caller may simply retry the same batch.
class pg_writer {
public:
  explicit pg_writer(pg_writer_config cfg);
  ~pg_writer();

  /// Writes and commits `b`; connects first if needed.
  void write(const write_batch& b);

  /// As write, but when PostgreSQL refuses some rows for good, finds them
  /// by halving the batch, commits the others, quarantines those (in
  /// `quarantine`, with PostgreSQL's error) with the rest of `b`, and returns
  /// them. Throws on any other failure, after which the caller may retry the
  /// same batch: what was committed is idempotent.
  std::vector<refused_row> write_isolating(const write_batch& b);

  /// Drops partitions older than the retention; returns how many.
  int apply_retention();

  /// Forgets the connection and the partitions it knew (after an error), so
  /// the next write reconnects and checks them again.
  void reset();

  const pg_writer_config& config() const { return cfg_; }

  /// Rows and quarantined messages left out so far because another node had
  /// claimed their partition (see write_batch::owner_epochs).
  std::uint64_t fenced_total() const { return fenced_total_; }

private:
  void connect();
  void ensure_partitions(const write_batch& b);
  void write_checkpoints(pqxx::work& w, const write_batch& b);
  /// `in`, or in `kept` what of it belongs to partitions this node still
  /// holds; locks their kafka_offsets rows until `w` ends.
  const write_batch& fence(pqxx::work& w, const write_batch& in, write_batch& kept);
  void isolate(const std::vector<const scored_transaction*>& rows,
               const std::map<std::int32_t, std::int64_t>& owner_epochs,
               std::vector<refused_row>& refused);

  pg_writer_config cfg_;
  std::string quarantine_sql_; ///< see quarantine_sql in the .cpp
  std::unique_ptr<pqxx::connection> conn_;
  std::set<std::int64_t> known_days_; ///< days whose partition exists
  std::uint64_t fenced_total_ = 0;
};

} // namespace rtad
