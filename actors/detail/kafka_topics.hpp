#pragma once
// The repartition stage's topics (by-user, lease), made by the node when missing.

#include <map>
#include <string>

namespace rtad {

/// Both connect with kafka.properties (`properties`).
///
/// Partitions of `topic` at `bootstrap`; 0 when it does not exist. Throws
/// std::runtime_error when the broker does not answer in `timeout_ms`.
int topic_partitions(const std::string& bootstrap,
                     const std::map<std::string, std::string>& properties, const std::string& topic,
                     int timeout_ms);

/// Makes sure `topic` exists, creating it with `partitions` (the broker's
/// default replication) when it does not; returns its partition count.
/// Throws std::runtime_error naming the topic when the broker refuses.
int ensure_topic(const std::string& bootstrap, const std::map<std::string, std::string>& properties,
                 const std::string& topic, int partitions, int timeout_ms);

/// Makes sure `target` exists, creating it with as many partitions as
/// `source` (the broker's default replication) when it does not; returns
/// its partition count. Throws std::runtime_error naming the topic when the
/// source is missing or the broker refuses.
int ensure_topic_like(const std::string& bootstrap,
                      const std::map<std::string, std::string>& properties,
                      const std::string& source, const std::string& target, int timeout_ms);

} // namespace rtad
