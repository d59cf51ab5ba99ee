#define BOOST_TEST_MODULE produce loop and JSONL files
#include "generator/jsonl.hpp"
#include "generator/pacer.hpp"
#include "generator/produce.hpp"
#include "generator/sources.hpp"
#include "messages/codec.hpp"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace rtad;
using namespace rtad::gen;

namespace {

/// A file in the temporary directory, removed afterwards.
struct temp_file {
  std::string path;
  explicit temp_file(const std::string& name)
      : path("/tmp/rtad-gen-test-" + std::to_string(::getpid()) + "-" + name) {}
  ~temp_file() { std::remove(path.c_str()); }
  std::string text() const {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void write(const std::string& text) const { std::ofstream(path) << text; }
};

stream_params small_stream() {
  stream_params p;
  p.users = 200;
  for (auto k : injected_kinds)
    p.fractions[static_cast<std::size_t>(k)] = 0.01;
  return p;
}

/// Counts what it is given.
struct counting_sink : message_sink {
  delivery_stats s;
  bool finished = false;
  void write(const message&) override { ++s.written, ++s.delivered; }
  void finish() override { finished = true; }
  delivery_stats stats() const override { return s; }
};

const std::atomic<bool> never{false};

} // namespace

BOOST_AUTO_TEST_CASE(a_jsonl_file_reads_back_as_the_transactions_written) {
  temp_file f("round-trip.jsonl");
  transaction_stream s(small_stream());
  std::vector<transaction> written;
  {
    jsonl_writer w(f.path);
    for (int i = 0; i < 5000; ++i) {
      written.push_back(s.next());
      w.write(written.back());
    }
    w.close();
  }
  jsonl_reader r(f.path);
  transaction t;
  std::size_t n = 0;
  while (r.next(t)) {
    const auto& w = written.at(n++);
    BOOST_REQUIRE_EQUAL(encode_transaction(t), encode_transaction(w));
    BOOST_REQUIRE_EQUAL(std::string(r.line()), encode_transaction(w));
    BOOST_REQUIRE_EQUAL(r.line_number(), n);
  }
  BOOST_TEST(n == written.size());
}

BOOST_AUTO_TEST_CASE(a_bad_line_is_reported_with_file_and_line_number) {
  temp_file f("bad.jsonl");
  transaction_stream s(small_stream());
  std::string good = encode_transaction(s.next());
  f.write(good + "\n\n" + good + "\n{\"amount\": \"lots\"}\n" + good + "\n");
  jsonl_reader r(f.path);
  transaction t;
  BOOST_TEST(r.next(t));
  BOOST_TEST(r.next(t)); // the blank line is skipped
  BOOST_TEST(r.line_number() == 3u);
  try {
    r.next(t);
    BOOST_FAIL("no error for line 4");
  } catch (const jsonl_error& e) {
    BOOST_TEST(e.line == 4u);
    BOOST_TEST(std::string(e.what()).rfind(f.path + ":4: ", 0) == 0, e.what());
  }
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_named_in_the_error) {
  try {
    jsonl_reader r("/nonexistent/stream.jsonl");
    BOOST_FAIL("no error");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("/nonexistent/stream.jsonl") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(replaying_a_file_into_a_file_copies_it_byte_for_byte) {
  temp_file original("original.jsonl"), copy("copy.jsonl");
  {
    generated_source src(small_stream());
    file_sink sink(original.path);
    auto r = produce(src, sink, {3000, std::nullopt, 0}, {}, never);
    BOOST_TEST(r.delivery.written == 3000u);
    BOOST_TEST(r.delivery.failed == 0u);
  }
  replay_source src(original.path);
  file_sink sink(copy.path);
  auto r = produce(src, sink, {}, {}, never);
  BOOST_TEST(r.delivery.written == 3000u);
  BOOST_TEST(copy.text() == original.text());
}

BOOST_AUTO_TEST_CASE(generation_stops_at_the_count_or_the_simulated_days) {
  generated_source src(small_stream());
  counting_sink sink;
  auto r = produce(src, sink, {1234, std::nullopt, 0}, {}, never);
  BOOST_TEST(r.delivery.written == 1234u);
  BOOST_TEST(sink.finished);

  constexpr double two_days_s = 2 * 86400;
  generated_source days(small_stream(), two_days_s);
  counting_sink all;
  produce(days, all, {}, {}, never);
  BOOST_TEST(days.stream().simulated_ms() > 2 * 86400 * 1000);
  BOOST_TEST(all.s.written > 100u);
  std::uint64_t sent = 0;
  for (auto n : days.sent_by_kind())
    sent += n;
  BOOST_TEST(sent == all.s.written); // the one beyond the end is not counted
}

BOOST_AUTO_TEST_CASE(the_rate_limit_spreads_messages_over_time) {
  generated_source src(small_stream());
  counting_sink sink;
  constexpr double rate = 1000;
  const auto r = produce(src, sink, {200, std::nullopt, rate}, {}, never);
  // 200 messages at 1000/s cannot take less than 0.199 s: the 200th is due then.
  BOOST_TEST(r.seconds >= 0.19);
  const pacer p(rate, pacer::clock::time_point{});
  BOOST_TEST(std::chrono::duration<double>(p.due(500) - pacer::clock::time_point{}).count() == 0.5);
}

BOOST_AUTO_TEST_CASE(a_duration_and_the_stop_flag_end_a_run) {
  generated_source src(small_stream());
  counting_sink sink;
  const auto r = produce(src, sink, {std::nullopt, 0.2, 100}, {}, never);
  BOOST_TEST(r.delivery.written <= 25u); // 0.2 s at 100/s, with slack for a busy machine
  BOOST_TEST(!r.interrupted);

  const std::atomic<bool> stop{true};
  counting_sink none;
  BOOST_TEST(produce(src, none, {}, {}, stop).interrupted);
  BOOST_TEST(none.s.written == 0u);
}

BOOST_AUTO_TEST_CASE(numbers_and_times_read_at_a_glance) {
  BOOST_TEST(with_thousands(0) == "0");
  BOOST_TEST(with_thousands(1234567) == "1,234,567");
  BOOST_TEST(clock_text(62) == "1:02");
  BOOST_TEST(clock_text(3723) == "1:02:03");
}
