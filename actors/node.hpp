#pragma once

#include "actors/detail/metrics.hpp"
#include "actors/detail/metrics_http.hpp"
#include "actors/detail/node_lock.hpp"
#include "config/settings.hpp"
#include "messages/actors.hpp"

#include <atomic>
#include <caf/actor_system.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace rtad {

/// A unique node id for this process: the setting, else host name and pid.
std::string node_name(const config::settings& s);

/// One running rtad node: Kafka source, shards of profiles, global model,
/// sink, profile store, feedback listener and status reporter, wired
/// together. The schema must be current (see db::migrate).
class node {
public:
  /// Starts the node; throws node_id_taken when a live node has its id.
  node(caf::actor_system& sys, const config::settings& s);
  ~node();
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  /// Leaves the consumer group (drains, checkpoints), writes what remains
  /// and ends every actor. False if that took longer than `timeout`.
  bool stop(std::chrono::seconds timeout);

  /// True once an essential actor ended on its own (an error was logged).
  bool failed() const { return failed_->load(); }

  /// False once another process took this node's id (after a lost database
  /// connection); the node must stop. Call it now and then: it asks PostgreSQL.
  bool holds_id() { return !lock_ || lock_->check(); }

  /// True once an operator asked this node to stop (rtad admin drain/shutdown).
  bool shutdown_requested() const { return shutdown_requested_->load(); }

  /// Port of the admin actor; 0 when not published.
  int admin_port() const { return admin_port_; }

  const std::string& name() const { return name_; }
  /// Port of /metrics, /healthz and /readyz; 0 when disabled.
  int metrics_port() const { return http_ ? http_->port() : 0; }
  std::shared_ptr<node_metrics> metrics() const { return metrics_; }

private:
  // The wiring, one step per actor (or kind of actor), each taking what the
  // steps before it spawned; the constructor calls them in order.
  void spawn_sink(const config::settings& s, const std::string& pg,
                  const std::string& scored_topic);
  void spawn_profile_store(const config::settings& s, const std::string& pg);
  void spawn_global_model(const config::settings& s, const std::string& pg);
  void spawn_shards(const config::settings& s);
  void spawn_source(const config::settings& s, const std::string& pg,
                    const std::string& scored_topic);
  void spawn_repartitioner(const config::settings& s, const std::string& scored_topic);
  void spawn_publishers(const config::settings& s, const std::string& pg);
  void spawn_feedback_listener(const std::string& pg);
  void spawn_liveness();
  /// Returns the admin endpoint it announces (empty without admin).
  std::string spawn_status_reporter(const config::settings& s, const std::string& pg);
  void spawn_admin(const config::settings& s, const std::string& endpoint);

  caf::actor_system& sys_;
  std::string name_;
  std::unique_ptr<node_lock> lock_; ///< first: no actor starts under a taken id
  std::shared_ptr<node_metrics> metrics_;
  std::shared_ptr<std::atomic<bool>> failed_;
  std::shared_ptr<std::atomic<bool>> stopping_;
  std::shared_ptr<std::atomic<bool>> shutdown_requested_;
  admin_actor admin_;
  registry_actor registry_;
  int admin_port_ = 0;
  sink_actor sink_;
  profile_store_actor store_;
  global_model_actor global_;
  std::vector<shard_actor> shards_;
  source_actor source_;
  source_actor repartitioner_;                     ///< none when kafka.input_key = user
  std::vector<outbox_publisher_actor> publishers_; ///< one per output topic that is on
  feedback_listener_actor feedback_;
  liveness_actor liveness_;
  status_reporter_actor status_;
  std::unique_ptr<metrics_http> http_;
  bool stopped_ = false;
};

} // namespace rtad
