#define BOOST_TEST_MODULE metrics exposition
#include "actors/detail/metrics.hpp"
#include "actors/detail/metrics_http.hpp"
#include "support/http_get.hpp"

#include <boost/test/unit_test.hpp>
#include <ctime>

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
  BOOST_TEST(m.prometheus("n").find("rtad_sink_stalled_seconds{node=\"n\"} 5") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(anomalies_are_counted_by_risk_and_the_build_is_named) {
  node_metrics m;
  m.count_anomaly("medium");
  m.count_anomaly("high");
  m.count_anomaly("high");
  auto page = m.prometheus("n");
  BOOST_TEST(page.find("rtad_anomalies_total{node=\"n\",risk=\"low\"} 0\n") != std::string::npos);
  BOOST_TEST(page.find("rtad_anomalies_total{node=\"n\",risk=\"medium\"} 1\n") !=
             std::string::npos);
  BOOST_TEST(page.find("rtad_anomalies_total{node=\"n\",risk=\"high\"} 2\n") != std::string::npos);
  BOOST_TEST(m.flagged.load() == 3u);
  BOOST_TEST(page.find("rtad_build_info{node=\"n\",version=\"0.1.0\"} 1\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_endpoint_listens_on_ipv6_and_ipv4_addresses) {
  auto m = std::make_shared<rtad::node_metrics>();
  auto healthy = [] { return true; };
  rtad::metrics_http v6("::1", 0, "n", m, healthy);
  BOOST_TEST(rtad::test::http_get(v6.port(), "/metrics", "::1").find("HTTP/1.1 200 OK") == 0u);
  // "::" is every address, IPv4 ones included.
  rtad::metrics_http any("::", 0, "n", m, healthy);
  BOOST_TEST(rtad::test::http_get(any.port(), "/healthz", "127.0.0.1").find("HTTP/1.1 200 OK") ==
             0u);
  BOOST_TEST(rtad::test::http_get(any.port(), "/healthz", "::1").find("HTTP/1.1 200 OK") == 0u);
  BOOST_CHECK_EXCEPTION(rtad::metrics_http("metrics.example", 0, "n", m, healthy),
                        std::runtime_error, [](const std::runtime_error& e) {
                          return std::string(e.what()).find("node.metrics_host") !=
                                 std::string::npos;
                        });
}

BOOST_AUTO_TEST_CASE(latency_write_and_scoring_times_are_histograms_with_cumulative_buckets) {
  node_metrics m;
  m.latency.observe(0.002);
  m.latency.observe(0.4, 3); // a batch of three, timed as one
  m.latency.observe(1000);   // past the last bound: +Inf only
  m.sink_write.observe(0.02);
  m.scoring.observe(0.00002, 10);
  auto page = m.prometheus("n");
  auto has = [&](const std::string& line) {
    bool found = page.find(line + "\n") != std::string::npos;
    BOOST_TEST(found, "missing: " << line);
  };
  has("# TYPE rtad_end_to_end_latency_seconds histogram");
  has("rtad_end_to_end_latency_seconds_bucket{node=\"n\",le=\"0.001\"} 0");
  has("rtad_end_to_end_latency_seconds_bucket{node=\"n\",le=\"0.003\"} 1");
  has("rtad_end_to_end_latency_seconds_bucket{node=\"n\",le=\"0.5\"} 4");
  has("rtad_end_to_end_latency_seconds_bucket{node=\"n\",le=\"300\"} 4");
  has("rtad_end_to_end_latency_seconds_bucket{node=\"n\",le=\"+Inf\"} 5");
  has("rtad_end_to_end_latency_seconds_count{node=\"n\"} 5");
  has("rtad_end_to_end_latency_seconds_sum{node=\"n\"} 1001.2");
  has("rtad_sink_write_seconds_bucket{node=\"n\",le=\"0.03\"} 1");
  has("rtad_scoring_seconds_bucket{node=\"n\",le=\"3e-05\"} 10");
  has("rtad_scoring_seconds_count{node=\"n\"} 10");
}

BOOST_AUTO_TEST_CASE(the_process_is_described_as_prometheus_clients_do) {
  volatile double spin = 0; // a few clock ticks of CPU, so its time is not 0
  for (auto until = std::clock() + CLOCKS_PER_SEC / 20; std::clock() < until;)
    spin = spin + 1;
  auto page = node_metrics{}.prometheus("n");
  for (const char* name :
       {"process_cpu_seconds_total", "process_resident_memory_bytes",
        "process_virtual_memory_bytes", "process_start_time_seconds", "process_open_fds"}) {
    auto at = page.find(std::string(name) + "{node=\"n\"} ");
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, name);
    auto value = std::stod(page.substr(page.find("} ", at) + 2));
    BOOST_TEST(value > 0, name << " = " << value);
  }
}
