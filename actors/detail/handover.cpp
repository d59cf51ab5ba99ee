#include "actors/detail/handover.hpp"

#include "actors/detail/node_lock.hpp"
#include "actors/detail/pg_array.hpp"

#include <pqxx/pqxx>

namespace rtad {

handover_marks::handover_marks(std::string url, std::string group, std::string topic,
                               std::string node)
    : url_(std::move(url)), group_(std::move(group)), topic_(std::move(topic)),
      node_(std::move(node)) {}

bool handover_marks::mark(const std::vector<std::int32_t>& partitions) const {
  try {
    pqxx::connection c(url_);
    pqxx::work w(c);
    w.exec_params("update kafka_offsets set handover_from = node, handover_epoch = owner_epoch"
                  " where consumer_group = $1 and topic = $2 and kafka_partition = any($3::int[])"
                  " and node = $4",
                  group_, topic_, pg_number_array(partitions), node_);
    w.commit();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::size_t handover_marks::clear(const std::map<std::int32_t, std::int64_t>& partitions) const {
  std::vector<std::int32_t> ids;
  std::vector<std::int64_t> epochs;
  for (const auto& [p, e] : partitions) {
    ids.push_back(p);
    epochs.push_back(e);
  }
  pqxx::connection c(url_);
  pqxx::work w(c);
  auto r = w.exec_params("update kafka_offsets o set handover_from = null, handover_epoch = null"
                         " from unnest($3::int[], $4::bigint[]) h(p, e)"
                         " where o.consumer_group = $1 and o.topic = $2 and o.kafka_partition = h.p"
                         " and o.handover_from = $5 and o.handover_epoch = h.e",
                         group_, topic_, pg_number_array(ids), pg_number_array(epochs), node_);
  w.commit();
  return r.affected_rows();
}

std::map<std::int32_t, handover_marks::standing_mark>
handover_marks::standing(const std::vector<std::int32_t>& partitions) const {
  pqxx::connection c(url_);
  pqxx::read_transaction r(c);
  std::map<std::int32_t, standing_mark> out;
  for (const auto& row : r.exec_params(
         "select kafka_partition, handover_from, handover_epoch, exists(select 1 from pg_locks l"
         " where l.locktype = 'advisory' and l.granted and l.classid = $4::oid"
         " and l.objid = hashtext(handover_from)::oid and l.objsubid = 2)"
         // A node stopped (SIGSTOP) keeps its lock but no longer reports.
         " and exists(select 1 from node_status s where s.node = handover_from"
         " and s.heartbeat_at > now() - interval '15 seconds')"
         " from kafka_offsets where consumer_group = $1 and topic = $2"
         " and kafka_partition = any($3::int[]) and handover_from is not null",
         group_, topic_, pg_number_array(partitions), node_lock_class))
    out[row[0].as<std::int32_t>()] = {row[1].as<std::string>(), row[2].as<std::int64_t>(),
                                      row[3].as<bool>()};
  return out;
}

void handover_marks::forget_own() const {
  pqxx::connection c(url_);
  pqxx::work w(c);
  w.exec_params("update kafka_offsets set handover_from = null, handover_epoch = null"
                " where consumer_group = $1 and topic = $2 and handover_from = $3",
                group_, topic_, node_);
  w.commit();
}

void handover_marks::expire(std::int32_t partition, const standing_mark& m) const {
  pqxx::connection c(url_);
  pqxx::work w(c);
  // The old owner's sink transaction may hold the row: the source that
  // asks tries again at its next check rather than wait here.
  w.exec("set local lock_timeout = '1s'");
  w.exec_params("update kafka_offsets set handover_from = null, handover_epoch = null"
                " where consumer_group = $1 and topic = $2 and kafka_partition = $3"
                " and handover_from = $4 and handover_epoch = $5",
                group_, topic_, partition, m.from, m.epoch);
  w.commit();
}

} // namespace rtad
