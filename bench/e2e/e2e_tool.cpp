// Helpers of the end-to-end benchmark (bench/e2e/run):
//
//   rtad_e2e drain BOOTSTRAP TOPIC
//       A bare librdkafka consumer: assigns every partition of TOPIC from the
//       beginning, consumes (no decoding, no work) until it has reached the
//       high watermark each partition had at start, and prints one JSON line
//       with messages, bytes, seconds and the rate. The ceiling a node's
//       source could reach on this machine.
//   rtad_e2e timestamps BOOTSTRAP TOPIC OUT
//       Writes "partition offset create_time_ms" of every message up to the
//       high watermarks: when each transaction was produced.
//   rtad_e2e listen PG_URL OUT
//       LISTENs on rtad_batches (the NOTIFY the node's sink sends inside each
//       batch's transaction, delivered at commit) and writes the epoch
//       microseconds of each notification's arrival, one a line, until
//       SIGINT/SIGTERM: when each batch became visible.
//
// Latency from produce to committed row is then: arrival of the notification
// of the row's batch (batches are told apart by their common scored_at, the
// start time of their transaction, and committed in that order) minus the
// message's CreateTime (latency.py does the join).

#include "bench/kafka_read.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <librdkafka/rdkafkacpp.h>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

/// How long a read of the whole topic may see no message before its end.
constexpr int idle_seconds = 30;
constexpr int listen_wait_s = 1;

std::atomic<bool> stop_requested{false};

void on_signal(int) {
  stop_requested = true;
}

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

int drain(const std::string& bootstrap, const std::string& topic) {
  std::uint64_t messages = 0, bytes = 0;
  std::chrono::steady_clock::time_point first{};
  auto started = std::chrono::steady_clock::now();
  rtad::bench::consume_all(bootstrap, topic, stop_requested, idle_seconds,
                           [&](const RdKafka::Message& m) {
                             if (messages++ == 0)
                               first = std::chrono::steady_clock::now();
                             bytes += m.len();
                           });
  auto end = std::chrono::steady_clock::now();
  double total_s = std::chrono::duration<double>(end - started).count();
  double s = messages > 0 ? std::chrono::duration<double>(end - first).count() : 0;
  std::printf(
    "{\"messages\": %llu, \"bytes\": %llu, \"seconds\": %.3f, \"seconds_with_setup\": %.3f, "
    "\"messages_per_s\": %.0f, \"mb_per_s\": %.1f}\n",
    static_cast<unsigned long long>(messages), static_cast<unsigned long long>(bytes), s, total_s,
    s > 0 ? messages / s : 0.0, s > 0 ? bytes / s / 1e6 : 0.0);
  return 0;
}

int timestamps(const std::string& bootstrap, const std::string& topic, const std::string& out) {
  FILE* f = std::fopen(out.c_str(), "w");
  if (!f)
    throw std::runtime_error("cannot write " + out);
  rtad::bench::consume_all(
    bootstrap, topic, stop_requested, idle_seconds, [&](const RdKafka::Message& m) {
      std::fprintf(f, "%d %lld %lld\n", m.partition(), static_cast<long long>(m.offset()),
                   static_cast<long long>(m.timestamp().timestamp));
    });
  std::fclose(f);
  return 0;
}

int listen(const std::string& url, const std::string& out) {
  FILE* f = std::fopen(out.c_str(), "w");
  if (!f)
    throw std::runtime_error("cannot write " + out);
  pqxx::connection c(url);
  struct receiver : pqxx::notification_receiver {
    FILE* f;
    receiver(pqxx::connection& c, FILE* f) : pqxx::notification_receiver(c, "rtad_batches"), f(f) {}
    void operator()(const std::string& payload, int) override {
      std::fprintf(f, "%lld %s\n", static_cast<long long>(now_us()), payload.c_str());
      std::fflush(f);
    }
  } r(c, f);
  std::fprintf(stderr, "rtad_e2e: listening on rtad_batches\n");
  while (!stop_requested)
    c.await_notification(listen_wait_s, 0);
  std::fclose(f);
  return 0;
}

} // namespace

int main(int argc, char** argv) try {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 3 && a[0] == "drain")
    return drain(a[1], a[2]);
  if (a.size() == 4 && a[0] == "timestamps")
    return timestamps(a[1], a[2], a[3]);
  if (a.size() == 3 && a[0] == "listen")
    return listen(a[1], a[2]);
  std::cerr << "usage: rtad_e2e drain BOOTSTRAP TOPIC\n"
               "       rtad_e2e timestamps BOOTSTRAP TOPIC OUT\n"
               "       rtad_e2e listen PG_URL OUT\n";
  return 2;
} catch (const std::exception& e) {
  std::cerr << "rtad_e2e: " << e.what() << '\n';
  return 1;
}
