#define BOOST_TEST_MODULE metrics exposition
#include "actors/metrics.hpp"

#include <boost/test/unit_test.hpp>

using namespace rtad;

BOOST_AUTO_TEST_CASE(a_node_name_is_escaped_in_every_label) {
  // Unescaped, a quote in node.name ended the label and broke the whole page
  // for Prometheus.
  node_metrics m;
  m.consumed = 7;
  auto page = m.prometheus("eu\"west\\1\nb");
  BOOST_TEST(page.find("rtad_transactions_consumed_total{node=\"eu\\\"west\\\\1\\nb\"} 7\n") !=
             std::string::npos);
  BOOST_TEST(page.find("west\\1\nb") == std::string::npos); // no raw line feed in a label
}

BOOST_AUTO_TEST_CASE(the_sink_stall_is_zero_while_every_lane_moves) {
  node_metrics m;
  BOOST_TEST(m.sink_stalled_seconds() == 0.0);
  m.sink_stalled_since_ns =
    (std::chrono::steady_clock::now() - std::chrono::seconds(5)).time_since_epoch().count();
  BOOST_TEST(m.sink_stalled_seconds() >= 5.0);
  BOOST_TEST(m.prometheus("n").find("rtad_sink_stalled_seconds{node=\"n\"} 5") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(anomalies_are_counted_by_risk_and_the_build_is_named) {
  node_metrics m;
  m.count_anomaly("medium");
  m.count_anomaly("high");
  m.count_anomaly("high");
  auto page = m.prometheus("n");
  BOOST_TEST(page.find("rtad_anomalies_total{node=\"n\",risk=\"low\"} 0\n") != std::string::npos);
  BOOST_TEST(page.find("rtad_anomalies_total{node=\"n\",risk=\"medium\"} 1\n") != std::string::npos);
  BOOST_TEST(page.find("rtad_anomalies_total{node=\"n\",risk=\"high\"} 2\n") != std::string::npos);
  BOOST_TEST(m.flagged.load() == 3u);
  BOOST_TEST(page.find("rtad_build_info{node=\"n\",version=\"0.1.0\"} 1\n") != std::string::npos);
}
