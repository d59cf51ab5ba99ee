#pragma once
// A topic's partition count and its creation, on any librdkafka handle.

#include <librdkafka/rdkafka.h>
#include <string>

namespace rtad::kafka {

/// Partitions of `topic` as the broker's metadata has them; 0 when it does
/// not exist. Throws std::runtime_error naming `bootstrap` when the broker
/// does not answer in `timeout_ms`.
int topic_partitions(rd_kafka_t* rk, const std::string& bootstrap, const std::string& topic,
                     int timeout_ms);

/// Creates `topic` with `partitions` and the broker's default replication;
/// one that exists already (another client made it a moment before) is no
/// error. Throws std::runtime_error naming the topic otherwise.
void create_topic(rd_kafka_t* rk, const std::string& topic, int partitions, int timeout_ms);

} // namespace rtad::kafka
