#include "actors/node.hpp"

#include "actors/admin.hpp"
#include "actors/detail/convert.hpp"
#include "actors/detail/kafka_config.hpp"
#include "actors/detail/kafka_topics.hpp"
#include "actors/detail/log.hpp"
#include "actors/detail/pg_connection.hpp"
#include "actors/detail/wall_clock.hpp"
#include "actors/feedback_listener.hpp"
#include "actors/global_model.hpp"
#include "actors/kafka_source.hpp"
#include "actors/liveness.hpp"
#include "actors/outbox_publisher.hpp"
#include "actors/profile_store.hpp"
#include "actors/registry.hpp"
#include "actors/repartitioner.hpp"
#include "actors/shard.hpp"
#include "actors/sink.hpp"
#include "actors/status_reporter.hpp"

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/publish.hpp>
#include <pqxx/pqxx>
#include <unistd.h>

namespace rtad {

namespace {

/// Global refits come this often relative to the window: a whole turnover
/// every `global_window` rows, in eighths.
constexpr std::size_t global_refit_fraction = 8;

/// How long the node waits for the broker's metadata at start.
constexpr int topic_timeout_ms = 10000;

/// Marks the node failed when `actor` ends while the node is not stopping.
template <class Handle>
void watch(const Handle& actor, const char* what, std::shared_ptr<std::atomic<bool>> failed,
           std::shared_ptr<std::atomic<bool>> stopping) {
  actor->attach_functor([=](const caf::error& reason) {
    if (stopping->load())
      return;
    log::error("node", std::string(what) + " ended unexpectedly: " + caf::to_string(reason));
    failed->store(true);
  });
}

/// The last checkpoint of this mode's global model; empty when none (or unreadable).
std::vector<std::uint8_t> stored_global_model(const std::string& url, const std::string& mode) {
  try {
    pqxx::connection c(url);
    pqxx::read_transaction r(c);
    auto rows = r.exec_params("select checkpoint from global_models where mode = $1", mode);
    if (rows.empty())
      return {};
    pqxx::binarystring bytes(rows[0][0]);
    return {bytes.begin(), bytes.end()};
  } catch (const std::exception& e) {
    log::warn("node", "cannot read the stored global model; it will relearn" +
                        log::fields()("error", log::quote(e.what())).str());
    return {};
  }
}

std::string this_host() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

/// How other nodes reach an admin actor listening on `bind`: a wildcard
/// address is no address, so the host name stands in for it.
std::string advertised_host(const std::string& bind) {
  return bind.empty() || bind == "0.0.0.0" || bind == "::" ? this_host() : bind;
}

/// Every connection the node makes: none waits on PostgreSQL forever.
std::string pg_url(const config::settings& s) {
  return node_connection_url(s.pg.url, std::chrono::milliseconds(s.pg.statement_timeout_ms));
}

} // namespace

std::string node_name(const config::settings& s) {
  if (!s.node.name.empty())
    return s.node.name;
  return this_host() + "-" + std::to_string(getpid());
}

node::node(caf::actor_system& sys, const config::settings& s)
    : sys_(sys), name_(node_name(s)), lock_(std::make_unique<node_lock>(pg_url(s), name_)),
      metrics_(std::make_shared<node_metrics>()),
      failed_(std::make_shared<std::atomic<bool>>(false)),
      stopping_(std::make_shared<std::atomic<bool>>(false)),
      shutdown_requested_(std::make_shared<std::atomic<bool>>(false)) {
  const auto pg = pg_url(s);
  // Each user's messages must reach one node: unless the input is keyed by
  // user, the repartition stage re-keys it into the by-user topic, and the
  // profiles read that (see repartitioner.hpp).
  const auto scored_topic = config::scoring_topic(s);
  check_kafka_properties(s.kafka.properties); // refused at start, by name, not in an actor later
  if (s.kafka.key != config::input_key::user) {
    try { // now, so the profiles' source finds it at once
      ensure_topic_like(s.kafka.bootstrap, s.kafka.properties, s.kafka.topic, scored_topic,
                        topic_timeout_ms);
    } catch (const std::exception& e) { // the repartitioner keeps trying
      log::warn("node",
                "cannot make the by-user topic yet" +
                  log::fields()("topic", scored_topic)("error", log::quote(e.what())).str());
    }
  }
  metrics_->stuck_after = std::chrono::seconds(s.sink.stuck_after_s);
  metrics_->silent_after = std::chrono::seconds(s.node.silent_after_s);
  // In the order each needs the ones before: the sink first (everything
  // writes through it), the source last but the outside interfaces.
  spawn_sink(s, pg, scored_topic);
  spawn_profile_store(s, pg);
  spawn_global_model(s, pg);
  spawn_shards(s);
  spawn_source(s, pg, scored_topic);
  if (s.kafka.key != config::input_key::user)
    spawn_repartitioner(s, scored_topic);
  spawn_publishers(s, pg);
  spawn_feedback_listener(pg);
  spawn_liveness();
  auto admin_endpoint = spawn_status_reporter(s, pg);
  if (s.node.admin_port > 0)
    spawn_admin(s, admin_endpoint);
  if (s.node.metrics_port > 0)
    http_ =
      std::make_unique<metrics_http>(s.node.metrics_host, s.node.metrics_port, name_, metrics_,
                                     [failed = failed_] { return !failed->load(); });
  watch(source_, "kafka source", failed_, stopping_);
  if (repartitioner_)
    watch(repartitioner_, "repartitioner", failed_, stopping_);
  watch(sink_, "sink", failed_, stopping_);
  watch(store_, "profile store", failed_, stopping_);
  const auto anomalies = config::anomalies_topic(s);
  log::info("node",
            "started" +
              log::fields()("node", name_)("mode", config::to_string(s.node.mode))(
                "shards", s.node.shards)("topic", s.kafka.topic)("scored_topic", scored_topic)(
                "anomalies_topic", anomalies.empty() ? "none" : anomalies)("group", s.kafka.group)(
                "metrics_port", metrics_port())("admin_port", admin_port_)(
                "admin_tls", s.admin.tls() ? "yes" : "no")
                .str());
}

void node::spawn_sink(const config::settings& s, const std::string& pg,
                      const std::string& scored_topic) {
  sink_config sc;
  sc.writer = {pg,
               name_,
               s.kafka.group,
               scored_topic,
               s.sink.store_all,
               s.sink.retention_days,
               !config::anomalies_topic(s).empty(),
               !config::quarantine_topic(s).empty()};
  sc.writers = static_cast<std::size_t>(s.sink.writers);
  sc.batch_rows = static_cast<std::size_t>(s.sink.batch_rows);
  sc.flush_interval = std::chrono::milliseconds(s.sink.flush_interval_ms);
  sc.max_backoff = std::chrono::milliseconds(s.sink.retry_max_backoff_ms);
  sc.metrics = metrics_;
  sink_ = sys_.spawn(sink, sc); // its writers are detached, it never blocks
}

void node::spawn_profile_store(const config::settings& s, const std::string& pg) {
  profile_store_config pc;
  pc.url = pg;
  pc.catch_up_limit = catch_up_limit(s.model);
  pc.metrics = metrics_;
  store_ = sys_.spawn<caf::detached>(profile_store, pc);
}

void node::spawn_global_model(const config::settings& s, const std::string& pg) {
  bool enhanced = s.node.mode == config::detection_mode::enhanced;
  global_model_config gc;
  gc.dims = enhanced ? std::size_t{models::user_feature_count}
                     : std::size_t{models::standard_feature_count};
  gc.forest = {s.model.global_trees, s.model.global_sample_size, s.model.seed, enhanced};
  gc.window = static_cast<std::size_t>(s.model.global_window);
  gc.refit_every = std::max<std::size_t>(1, gc.window / global_refit_fraction);
  gc.domains = enhanced ? models::user_feature_domains() : models::standard_feature_domains();
  gc.metrics = metrics_;
  gc.mode = config::to_string(s.node.mode);
  gc.sink = caf::actor_cast<caf::strong_actor_ptr>(sink_);
  gc.restore = stored_global_model(pg, gc.mode);
  global_ = sys_.spawn(global_model, gc);
}

void node::spawn_shards(const config::settings& s) {
  shard_config shc;
  shc.mode = s.node.mode;
  shc.profile.params = user_model_params(s.model);
  shc.profile.sink = sink_;
  shc.profile.store = store_;
  shc.profile.metrics = metrics_;
  shc.profile.node = name_;
  // A hand-over writes no checkpoints (kafka_source): the next owner catches
  // up from the stored rows after the last one, which must all fit in what
  // a restore replays.
  shc.profile.checkpoint_every =
    std::min(shc.profile.checkpoint_every, std::max<std::size_t>(1, catch_up_limit(s.model) / 2));
  shc.standard_threshold = threshold_params(s.model);
  shc.passivate_after = std::chrono::seconds(s.node.passivate_after_s);
  shc.max_profiles = std::max<std::size_t>(1, static_cast<std::size_t>(s.node.max_active_profiles) /
                                                static_cast<std::size_t>(s.node.shards));
  for (int i = 0; i < s.node.shards; ++i) {
    auto sh = sys_.spawn(shard, shc);
    shards_.push_back(sh);
    caf::anon_send(global_, subscribe_atom::value, sh);
  }
  caf::anon_send(sink_, subscribe_atom::value, global_);
}

void node::spawn_source(const config::settings& s, const std::string& pg,
                        const std::string& scored_topic) {
  source_config src;
  src.bootstrap = s.kafka.bootstrap;
  src.topic = scored_topic;
  src.group = s.kafka.group;
  src.pg_url = pg;
  src.node = name_;
  src.properties = s.kafka.properties;
  if (s.kafka.static_membership) // validate() made sure the name is the configured one
    src.instance_id = name_;
  src.batch_max = static_cast<std::size_t>(s.kafka.batch_max);
  src.poll_timeout = std::chrono::milliseconds(s.kafka.poll_timeout_ms);
  src.credits = static_cast<std::size_t>(s.kafka.credits);
  src.credit_bytes = static_cast<std::size_t>(s.kafka.credit_bytes);
  src.session_timeout = std::chrono::milliseconds(s.kafka.session_timeout_ms);
  src.revoke_timeout = std::chrono::milliseconds(s.kafka.revoke_timeout_ms);
  src.handover_timeout = std::chrono::milliseconds(s.kafka.handover_timeout_ms);
  src.prefetch_kbytes = s.kafka.prefetch_kbytes;
  src.max_future_s = s.input.max_future_s;
  src.quarantine_unknown_fields = s.input.quarantine_unknown_fields;
  src.checkpoint_on_revoke = !s.sink.store_all;
  src.by_user = s.kafka.key != config::input_key::user;
  src.shards = shards_;
  src.sink = sink_;
  src.global = global_;
  src.epochs = models::epoch_plan_of(s.model.epoch_offsets, s.model.epoch_seconds);
  src.metrics = metrics_;
  source_ = sys_.spawn<caf::detached>(kafka_source, src);
}

void node::spawn_repartitioner(const config::settings& s, const std::string& scored_topic) {
  repartition_config rp;
  rp.bootstrap = s.kafka.bootstrap;
  rp.input_topic = s.kafka.topic;
  rp.output_topic = scored_topic;
  rp.group = s.kafka.group + ".repartition";
  rp.node = name_;
  if (s.kafka.static_membership)
    rp.instance_id = name_;
  rp.properties = s.kafka.properties;
  rp.count_rekeyed = s.kafka.key == config::input_key::check;
  rp.batch_max = static_cast<std::size_t>(s.kafka.repartition_batch);
  rp.poll_timeout = std::chrono::milliseconds(s.kafka.poll_timeout_ms);
  rp.session_timeout = std::chrono::milliseconds(s.kafka.session_timeout_ms);
  rp.topic_timeout_ms = topic_timeout_ms;
  rp.metrics = metrics_;
  repartitioner_ = sys_.spawn<caf::detached>(repartitioner, rp);
}

void node::spawn_publishers(const config::settings& s, const std::string& pg) {
  // The outboxes the sink fills, each to its topic.
  for (auto [kind, topic] : {std::pair{outbox_kind::anomalies, config::anomalies_topic(s)},
                             std::pair{outbox_kind::quarantine, config::quarantine_topic(s)}}) {
    if (topic.empty())
      continue;
    publisher_config puc;
    puc.kind = kind;
    puc.pg_url = pg;
    puc.bootstrap = s.kafka.bootstrap;
    puc.properties = s.kafka.properties;
    puc.source_topic = s.kafka.topic;
    puc.topic = topic;
    puc.node = name_;
    puc.topic_timeout_ms = topic_timeout_ms;
    puc.metrics =
      kind == outbox_kind::anomalies ? &metrics_->anomaly_outbox : &metrics_->quarantine_outbox;
    puc.metrics_owner = metrics_;
    publishers_.push_back(sys_.spawn<caf::detached>(outbox_publisher, puc));
  }
}

void node::spawn_feedback_listener(const std::string& pg) {
  feedback_config fc; // its default wait: a `{}` here would make it 0 ms, a busy loop
  fc.pg_url = pg;
  fc.shards = shards_;
  feedback_ = sys_.spawn<caf::detached>(feedback_listener, fc);
}

void node::spawn_liveness() {
  liveness_config lc;
  lc.watched = {{"kafka source", caf::actor_cast<caf::actor>(source_)},
                {"sink", caf::actor_cast<caf::actor>(sink_)},
                {"profile store", caf::actor_cast<caf::actor>(store_)},
                {"global model", caf::actor_cast<caf::actor>(global_)}};
  if (repartitioner_)
    lc.watched.emplace_back("repartitioner", caf::actor_cast<caf::actor>(repartitioner_));
  for (std::size_t i = 0; i < shards_.size(); ++i)
    lc.watched.emplace_back("shard " + std::to_string(i), caf::actor_cast<caf::actor>(shards_[i]));
  lc.metrics = metrics_;
  liveness_ = sys_.spawn(liveness, lc);
}

std::string node::spawn_status_reporter(const config::settings& s, const std::string& pg) {
  status_config stc;
  stc.pg_url = pg;
  stc.node = name_;
  stc.mode = config::to_string(s.node.mode);
  if (s.node.admin_port > 0)
    stc.admin_endpoint =
      advertised_host(s.node.admin_host) + ":" + std::to_string(s.node.admin_port);
  stc.metrics = metrics_;
  status_ = sys_.spawn<caf::detached>(status_reporter, stc);
  return stc.admin_endpoint;
}

void node::spawn_admin(const config::settings& s, const std::string& endpoint) {
  registry_config rc;
  rc.self = {name_, endpoint, wall_clock_ms()};
  rc.secret = s.node.admin_secret;
  rc.seeds = config::join_endpoints(s);
  registry_ = sys_.spawn(registry, rc);
  admin_config ac{
    s.node.admin_secret, name_, config::to_string(s.node.mode), shards_, metrics_, registry_,
    shutdown_requested_};
  bool tls = s.admin.tls();
  if (tls && !sys_.has_openssl_manager())
    throw std::logic_error("admin TLS is set but the actor system has no OpenSSL module "
                           "(configure it with use_admin_tls)");
  admin_ = sys_.spawn(admin, ac);
  caf::anon_send(registry_, admin_);
  auto wanted = static_cast<std::uint16_t>(s.node.admin_port);
  auto port = tls ? caf::openssl::publish(admin_, wanted, s.node.admin_host.c_str(), true)
                  : sys_.middleman().publish(admin_, wanted, s.node.admin_host.c_str(), true);
  if (!port)
    throw std::runtime_error("cannot publish the admin actor on " + s.node.admin_host + ":" +
                             std::to_string(s.node.admin_port) + ": " + sys_.render(port.error()) +
                             " (set node.admin_port; 0 disables it)");
  admin_port_ = *port;
  if (!tls && s.node.admin_host != "127.0.0.1" && s.node.admin_host != "localhost" &&
      s.node.admin_host != "::1")
    log::warn("node", "admin published without TLS on a non-loopback address; set "
                      "admin.tls_certificate, admin.tls_key and admin.tls_cafile" +
                        log::fields()("admin_host", s.node.admin_host).str());
  if (s.node.admin_secret.empty())
    log::warn("node", "admin published without node.admin_secret: it refuses every request");
}

node::~node() {
  if (!stopped_)
    stop(std::chrono::seconds(30));
}

bool node::stop(std::chrono::seconds timeout) {
  if (stopped_)
    return true;
  stopped_ = true;
  stopping_->store(true);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::max(
      deadline - std::chrono::steady_clock::now(), std::chrono::steady_clock::duration{0}));
  };
  bool ok = true;
  caf::scoped_actor self{sys_};
  auto fail = [&](const char* step) {
    return [&ok, step, this](caf::error& e) {
      ok = false;
      log::error("node", std::string("shutdown: ") + step + ": " + sys_.render(e));
    };
  };
  // What it has not published stays queued in PostgreSQL for the next
  // publisher, this node's successor or another member's.
  for (const auto& p : publishers_)
    self->request(p, left(), stop_atom::value).receive([](done_atom) {}, fail("publisher"));
  // The repartition stage first: it commits between batches, so leaving
  // its group leaves nothing open.
  if (repartitioner_)
    self->request(repartitioner_, left(), stop_atom::value)
      .receive([](done_atom) {}, fail("repartition"));
  // Leaving the group revokes every partition: drain and checkpoint.
  self->request(source_, left(), stop_atom::value).receive([](done_atom) {}, fail("leave group"));
  self->request(feedback_, left(), stop_atom::value).receive([](done_atom) {}, fail("feedback"));
  for (const auto& sh : shards_)
    self->request(sh, left(), release_atom::value, std::vector<std::int32_t>{}, true)
      .receive([](std::uint64_t) {}, fail("checkpoint profiles"));
  self->request(global_, left(), checkpoint_atom::value)
    .receive([](bool) {}, fail("global model checkpoint"));
  self->request(sink_, left(), drain_atom::value, metrics_->partitions())
    .receive([](bool) {}, fail("final write"));
  self->request(status_, left(), stop_atom::value).receive([](done_atom) {}, fail("status"));
  if (registry_) // says goodbye, so the other members need not wait for the timeout
    self->request(registry_, left(), stop_atom::value)
      .receive([](done_atom) {}, fail("leave cluster"));
  self->send_exit(liveness_, caf::exit_reason::user_shutdown);
  for (const auto& sh : shards_)
    self->send_exit(sh, caf::exit_reason::user_shutdown);
  self->send_exit(global_, caf::exit_reason::user_shutdown);
  self->send_exit(store_, caf::exit_reason::user_shutdown);
  self->send_exit(sink_, caf::exit_reason::user_shutdown);
  if (admin_)
    self->send_exit(admin_, caf::exit_reason::user_shutdown);
  lock_.reset(); // the id is free for a successor from here on
  log::info("node", "stopped" + log::fields()("node", name_)("clean", ok ? "yes" : "no").str());
  return ok;
}

} // namespace rtad
