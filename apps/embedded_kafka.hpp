#pragma once
// librdkafka's in-process mock cluster, for `rtad demo` on a machine without
// a broker. Good for a demonstration; the tests use the real broker.

#include <map>
#include <memory>
#include <string>

namespace rtad::app {

/// A single-broker mock cluster with one topic; gone when destroyed.
class embedded_kafka {
public:
  embedded_kafka(const std::string& topic, int partitions);
  ~embedded_kafka();
  embedded_kafka(const embedded_kafka&) = delete;
  embedded_kafka& operator=(const embedded_kafka&) = delete;

  /// host:port of the mock broker.
  const std::string& bootstrap() const { return bootstrap_; }

private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::string bootstrap_;
};

/// True when a broker at `bootstrap` answers a metadata request in time.
bool kafka_reachable(const std::string& bootstrap,
                     const std::map<std::string, std::string>& properties, int timeout_ms);

} // namespace rtad::app
