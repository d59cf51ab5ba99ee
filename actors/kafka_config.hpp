#pragma once
// Settings of the Kafka clients a node makes: rtad's own, then the user's
// kafka.properties.<name> (SASL, SSL, client.id, ...).

#include <librdkafka/rdkafkacpp.h>
#include <map>
#include <stdexcept>
#include <string>

namespace rtad {

/// Sets one librdkafka property; throws std::runtime_error naming it.
inline void set_kafka(RdKafka::Conf& conf, const std::string& key, const std::string& value) {
  std::string err;
  if (conf.set(key, value, err) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error("kafka setting " + key + ": " + err);
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
