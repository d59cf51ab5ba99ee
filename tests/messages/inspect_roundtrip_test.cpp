#define BOOST_TEST_MODULE inspected types round trip
// Every type with an inspect() travels between actors, and the admin and
// registry types between processes (CAF's remote interface): a field its
// inspect() forgets arrives as its default, silently, and only on the
// network path. Each type is filled with values unlike its defaults,
// serialised with CAF's binary serializer, read back, and compared field by
// field.
#include "messages/results.hpp"
#include "messages/snapshot.hpp"
#include "messages/transaction.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <tuple>

using namespace rtad;

namespace {

template <class T>
T round_trip(T x) {
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  BOOST_REQUIRE(!sink(x));
  T back;
  caf::binary_deserializer source{nullptr, buf};
  BOOST_REQUIRE(!source(back));
  BOOST_TEST(source.remaining() == 0u); // nothing written that is not read back
  return back;
}

auto fields(const transaction& x) {
  return std::tie(x.transaction_id, x.user_id, x.amount, x.currency, x.location, x.timestamp,
                  x.transaction_type, x.merchant_id, x.merchant_name, x.merchant_category,
                  x.payment_method, x.device_type, x.ip_address, x.anomalous, x.fraud_type,
                  x.partition, x.offset, x.epoch, x.kafka_time_ms);
}

transaction a_transaction() {
  transaction t;
  t.transaction_id = "t1";
  t.user_id = "u1";
  t.amount = 12.5;
  t.currency = "EUR";
  t.location = "DE";
  t.timestamp = 1767225600;
  t.transaction_type = "purchase";
  t.merchant_id = "m1";
  t.merchant_name = "Shop";
  t.merchant_category = "groceries";
  t.payment_method = "credit_card";
  t.device_type = "mobile";
  t.ip_address = "10.0.0.1";
  t.anomalous = 1;
  t.fraud_type = "card_testing";
  t.partition = 3;
  t.offset = 77;
  t.epoch = 9;
  t.kafka_time_ms = 1767225600123;
  return t;
}

label a_label() {
  return {5, "t1", "u1", true};
}

member_info a_member() {
  return {"alpha", "127.0.0.1:4242", 1767225600123};
}

} // namespace

BOOST_AUTO_TEST_CASE(a_transaction_keeps_every_field) {
  auto t = a_transaction();
  BOOST_TEST((fields(round_trip(t)) == fields(t)));
}

BOOST_AUTO_TEST_CASE(a_scored_transaction_keeps_every_field) {
  scored_transaction x;
  x.txn = a_transaction();
  x.score = 0.9;
  x.threshold = 0.8;
  x.user_score = 0.7;
  x.global_score = 0.6;
  x.user_weight = 0.5;
  x.anomalous = true;
  x.risk = "high";
  x.model_used = "user";
  x.explanation = "amount 40x usual";
  x.detection_features = "{}";
  for (std::size_t i = 0; i < x.features.size(); ++i)
    x.features[i] = static_cast<float>(i) + 0.5f;
  x.feature_count = 15;
  x.duplicate = true;
  auto y = round_trip(x);
  BOOST_TEST((fields(y.txn) == fields(x.txn)));
  BOOST_TEST((std::tie(y.score, y.threshold, y.user_score, y.global_score, y.user_weight,
                       y.anomalous, y.risk, y.model_used, y.explanation, y.detection_features,
                       y.features, y.feature_count, y.duplicate) ==
              std::tie(x.score, x.threshold, x.user_score, x.global_score, x.user_weight,
                       x.anomalous, x.risk, x.model_used, x.explanation, x.detection_features,
                       x.features, x.feature_count, x.duplicate)));
}

BOOST_AUTO_TEST_CASE(a_quarantine_entry_an_offset_batch_and_a_label_keep_every_field) {
  quarantine_entry q{"topic", 2, 40, "key", std::string("raw\0bytes", 9), "reason", 1, 30};
  auto r = round_trip(q);
  BOOST_TEST(
    (std::tie(r.topic, r.partition, r.offset, r.key, r.raw, r.reason, r.origin_partition,
              r.origin_offset) == std::tie(q.topic, q.partition, q.offset, q.key, q.raw, q.reason,
                                           q.origin_partition, q.origin_offset)));
  offset_batch b{4, {7, 8, 10}, 3};
  auto c = round_trip(b);
  BOOST_TEST((std::tie(c.partition, c.offsets, c.owner_epoch) ==
              std::tie(b.partition, b.offsets, b.owner_epoch)));
  auto l = a_label();
  auto m = round_trip(l);
  BOOST_TEST((std::tie(m.id, m.transaction_id, m.user_id, m.confirmed_fraud) ==
              std::tie(l.id, l.transaction_id, l.user_id, l.confirmed_fraud)));
}

BOOST_AUTO_TEST_CASE(checkpoints_and_restores_keep_every_field) {
  profile_checkpoint p{"u1", {1, 2, 3}, "{}", 7, 40, 25, 0.95, true, 1767225600, 1767229200, 2, 99};
  auto q = round_trip(p);
  BOOST_TEST((std::tie(q.user_id, q.bytes, q.summary_json, q.model_version, q.history_size, q.trees,
                       q.threshold, q.frozen, q.last_retrain, q.last_transaction_at,
                       q.learned_partition, q.learned_offset) ==
              std::tie(p.user_id, p.bytes, p.summary_json, p.model_version, p.history_size, p.trees,
                       p.threshold, p.frozen, p.last_retrain, p.last_transaction_at,
                       p.learned_partition, p.learned_offset)));

  profile_restore r;
  r.found = true;
  r.checkpoint = {4, 5};
  r.catch_up = {{a_transaction(), true, 0.97}};
  r.labels = {a_label()};
  r.error = "unreadable";
  r.stored_version = 12;
  auto s = round_trip(r);
  BOOST_TEST((std::tie(s.found, s.checkpoint, s.error, s.stored_version) ==
              std::tie(r.found, r.checkpoint, r.error, r.stored_version)));
  BOOST_REQUIRE(s.catch_up.size() == 1u);
  BOOST_TEST((fields(s.catch_up[0].txn) == fields(r.catch_up[0].txn)));
  BOOST_TEST(s.catch_up[0].anomalous);
  BOOST_TEST(s.catch_up[0].score == 0.97);
  BOOST_REQUIRE(s.labels.size() == 1u);
  BOOST_TEST(s.labels[0].transaction_id == "t1");

  global_checkpoint g{"enhanced", 3, 1000, {9, 8}};
  auto h = round_trip(g);
  BOOST_TEST(
    (std::tie(h.mode, h.version, h.rows, h.bytes) == std::tie(g.mode, g.version, g.rows, g.bytes)));
}

BOOST_AUTO_TEST_CASE(stored_rows_keep_every_column) {
  stored_rows x{{1, 2}, {10, 11}, {0.5f, 1.5f}, {0.9f, 0.1f}, {"a", "b"}, {0.2f, 0.3f}, {1}, {12}};
  auto y = round_trip(x);
  BOOST_TEST((std::tie(y.partitions, y.offsets, y.rows, y.scores, y.categories, y.user_scores,
                       y.watermark_partitions, y.watermarks) ==
              std::tie(x.partitions, x.offsets, x.rows, x.scores, x.categories, x.user_scores,
                       x.watermark_partitions, x.watermarks)));
}

BOOST_AUTO_TEST_CASE(what_an_operator_sees_keeps_every_field) {
  profile_info p{"u1", "alpha", true, 40,         35,         7,           25,    0.95,
                 true, true,    0.8,  1767225600, 1767229200, {0.1, 0.99}, {"x"}, "{}"};
  auto q = round_trip(p);
  BOOST_TEST(
    (std::tie(q.user_id, q.node, q.active, q.history_size, q.training_rows, q.model_version,
              q.trees, q.threshold, q.threshold_fixed, q.frozen, q.user_weight, q.last_retrain,
              q.last_seen, q.recent_scores, q.recent_explanations, q.summary_json) ==
     std::tie(p.user_id, p.node, p.active, p.history_size, p.training_rows, p.model_version,
              p.trees, p.threshold, p.threshold_fixed, p.frozen, p.user_weight, p.last_retrain,
              p.last_seen, p.recent_scores, p.recent_explanations, p.summary_json)));

  node_info n{"alpha", "1.0", "enhanced", {0, 2}, 10,  2048, 100, 99,    3,
              1,       5,     7,          2,      150, 40,   6,   false, true};
  auto o = round_trip(n);
  BOOST_TEST((std::tie(o.node, o.version, o.mode, o.partitions, o.active_profiles,
                       o.profile_memory_bytes, o.consumed, o.scored, o.flagged, o.quarantined,
                       o.consumer_lag, o.in_flight, o.rebalances, o.last_rebalance_ms,
                       o.last_rebalance_users, o.global_model_version, o.database_up, o.ready) ==
              std::tie(n.node, n.version, n.mode, n.partitions, n.active_profiles,
                       n.profile_memory_bytes, n.consumed, n.scored, n.flagged, n.quarantined,
                       n.consumer_lag, n.in_flight, n.rebalances, n.last_rebalance_ms,
                       n.last_rebalance_users, n.global_model_version, n.database_up, n.ready)));

  member_view v{a_member(), "suspect", 1500};
  auto w = round_trip(v);
  BOOST_TEST(
    (std::tie(w.info.node, w.info.admin_endpoint, w.info.incarnation, w.state, w.last_heard_ms) ==
     std::tie(v.info.node, v.info.admin_endpoint, v.info.incarnation, v.state, v.last_heard_ms)));
}

BOOST_AUTO_TEST_CASE(a_global_snapshot_carries_its_forest_version_and_epoch_but_not_its_reference) {
  std::vector<float> data;
  for (int i = 0; i < 300; ++i)
    for (int f = 0; f < 3; ++f)
      data.push_back(static_cast<float>((i * 31 + f * 7) % 97));
  auto forest = std::make_shared<models::isolation_forest>(3, models::forest_params{20, 64, 7});
  forest->fit({data.data(), 300, 3});
  global_snapshot s{42, forest, nullptr, 6};
  auto t = round_trip(s);
  BOOST_TEST(t.epoch == 42);
  BOOST_TEST(t.version == 6u);
  BOOST_REQUIRE(t.forest);
  BOOST_TEST((*t.forest == *forest));
  BOOST_TEST(!t.population); // node-local: a copy from another process calibrates nothing
  global_snapshot empty;
  BOOST_TEST(!round_trip(empty).forest);
}
