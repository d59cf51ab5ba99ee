#define BOOST_TEST_MODULE heap_trim
#include "actors/detail/heap.hpp"
#include "actors/detail/system_config.hpp"
#include "actors/status_reporter.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>
#include <memory>
#include <thread>
#include <vector>

using namespace rtad;

namespace {

/// What a node's worker threads leave behind: many small blocks, most of
/// them freed, a few kept, allocated on a thread of their own (so in an
/// arena of their own, as CAF's workers and librdkafka's threads are).
std::vector<std::unique_ptr<char[]>> fragment_heap() {
  std::vector<std::unique_ptr<char[]>> kept;
  std::thread([&] {
    std::vector<std::unique_ptr<char[]>> all;
    for (int i = 0; i < 250000; ++i) {
      all.emplace_back(new char[240]);
      std::fill_n(all.back().get(), 240, static_cast<char>(i)); // resident, not just reserved
    }
    for (std::size_t i = 0; i < all.size(); i += 64) // one block in every 16 KB stays
      kept.push_back(std::move(all[i]));
  }).join();
  return kept;
}

} // namespace

BOOST_AUTO_TEST_CASE(freed_heap_goes_back_to_the_system) {
  auto kept = fragment_heap();
  auto before = resident_bytes();
  auto released = release_free_heap();
  BOOST_TEST(before > 0u);
  // About 60 MB were freed between the kept blocks; most of it is whole pages.
  BOOST_TEST(released > 20u * 1024 * 1024, released << " bytes released");
  BOOST_TEST(resident_bytes() < before);
}

BOOST_AUTO_TEST_CASE(the_status_reporter_trims_the_heap_periodically) {
  auto kept = fragment_heap();
  rtad_system_config cfg;
  caf::actor_system sys{cfg};
  status_config sc;
  sc.pg_url = "postgresql://rtad@127.0.0.1:1/none?connect_timeout=1"; // its rows fail; trims go on
  sc.node = "n1";
  sc.interval = std::chrono::milliseconds(50);
  sc.heap_trim_interval = std::chrono::milliseconds(100);
  sc.metrics = std::make_shared<node_metrics>();
  auto reporter = sys.spawn<caf::detached>(status_reporter, sc);
  for (int i = 0; i < 100 && sc.metrics->heap_released_bytes.load() < 20u * 1024 * 1024; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  BOOST_TEST(sc.metrics->heap_released_bytes.load() > 20u * 1024 * 1024);
  BOOST_TEST(sc.metrics->resident_bytes.load() > 0u);
  BOOST_TEST(sc.metrics->prometheus("n1").find("rtad_heap_released_bytes_total{node=\"n1\"} ") !=
             std::string::npos);
  caf::anon_send_exit(reporter, caf::exit_reason::user_shutdown);
}
