#pragma once
// Settings of the Kafka clients a node makes: rtad's own, then the user's
// kafka.properties.<name> (SASL, SSL, client.id, ...).

#include "actors/detail/log.hpp"

#include <algorithm>
#include <chrono>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

namespace rtad {

/// One line of librdkafka's own log (syslog levels) through rtad's logger,
/// so it has rtad's level and format instead of librdkafka's stderr lines.
inline void kafka_log_line(const rd_kafka_t* rk, int syslog_level, const char* facility,
                           const char* text) {
  const auto l = syslog_level <= 3   ? log::level::error
                 : syslog_level == 4 ? log::level::warn
                 : syslog_level <= 6 ? log::level::info
                                     : log::level::debug;
  if (!log::enabled(l))
    return;
  log::write(l, "librdkafka",
             "log" + log::fields()("client", rk ? rd_kafka_name(rk) : "-")("facility", facility)(
                       "text", log::quote(text))
                       .str());
}

/// Routes a client's log lines through rtad's logger (every client rtad makes).
inline void route_kafka_logs(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_log_cb(conf, &kafka_log_line);
}
inline void route_kafka_logs(RdKafka::Conf& conf) {
  route_kafka_logs(conf.c_ptr_global());
}

/// Sets one librdkafka property; throws std::runtime_error naming it.
inline void set_kafka(RdKafka::Conf& conf, const std::string& key, const std::string& value) {
  std::string err;
  if (conf.set(key, value, err) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error("kafka setting " + key + ": " + err);
}

/// What both consumer groups of a node (scoring, repartition) set alike:
/// the group, static membership when `instance_id` is set, the eager range
/// assignor (cooperative-sticky crashes librdkafka 2.0.2) and the session,
/// with heartbeats five times within it and no request outliving it.
inline void set_group_member(RdKafka::Conf& conf, const std::string& group,
                             const std::string& instance_id,
                             std::chrono::milliseconds session_timeout) {
  set_kafka(conf, "group.id", group);
  if (!instance_id.empty())
    set_kafka(conf, "group.instance.id", instance_id);
  set_kafka(conf, "partition.assignment.strategy", "range");
  set_kafka(conf, "session.timeout.ms", std::to_string(session_timeout.count()));
  set_kafka(conf, "heartbeat.interval.ms",
            std::to_string(std::max<long>(100, session_timeout.count() / 5)));
  // After a broker restart a request to the group coordinator sat in
  // librdkafka's queue, never sent, for the default 60 s: a 53 s stall of
  // both nodes in a chaos campaign. No request of a group member is worth
  // waiting longer than its session.
  set_kafka(conf, "socket.timeout.ms",
            std::to_string(std::max<long>(10000, session_timeout.count())));
}

/// Applies kafka.properties; throws std::runtime_error naming the first one
/// librdkafka refuses (an unknown name, a bad value).
inline void set_kafka_properties(RdKafka::Conf& conf,
                                 const std::map<std::string, std::string>& properties) {
  for (const auto& [k, v] : properties) {
    std::string err;
    if (conf.set(k, v, err) != RdKafka::Conf::CONF_OK)
      throw std::runtime_error("kafka.properties." + k + " = '" + v + "': " + err);
  }
}

/// Checks kafka.properties once, before any client is made.
inline void check_kafka_properties(const std::map<std::string, std::string>& properties) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  set_kafka_properties(*conf, properties);
}

} // namespace rtad
