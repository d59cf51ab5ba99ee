#pragma once

#include "actors/detail/metrics.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace rtad {

/// A small HTTP/1.1 endpoint for operators: GET /metrics (Prometheus text),
/// /healthz (no essential actor failed or went silent, see actors/liveness.hpp)
/// and /readyz (partitions assigned and PostgreSQL writable). One request per
/// connection; a thread of its own, because a scrape must answer even when
/// every actor is busy.
class metrics_http {
public:
  /// Listens on host:port (port 0: an ephemeral port, see port()). Throws
  /// std::runtime_error when the address cannot be bound.
  metrics_http(const std::string& host, int port, std::string node,
               std::shared_ptr<node_metrics> metrics, std::function<bool()> healthy);
  ~metrics_http();
  metrics_http(const metrics_http&) = delete;
  metrics_http& operator=(const metrics_http&) = delete;

  /// The port actually bound.
  int port() const { return port_; }

private:
  void serve();
  std::string respond(const std::string& request_line) const;

  int fd_ = -1;
  int port_ = 0;
  std::string node_;
  std::shared_ptr<node_metrics> metrics_;
  std::function<bool()> healthy_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

} // namespace rtad
