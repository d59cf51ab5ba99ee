#define BOOST_TEST_MODULE merge by time
#include "actors/detail/time_merge.hpp"

#include <boost/test/unit_test.hpp>
#include <cstdint>

using rtad::time_merge;

namespace {

/// What `take` appends to an empty batch, with no byte bound.
std::vector<int> take(time_merge<int>& m, std::size_t max) {
  std::vector<int> out;
  m.take(out, max, SIZE_MAX);
  return out;
}

} // namespace

// An unkeyed producer's user: transactions at 1, 2, 3, 4 went to partitions
// 0, 1, 0, 1. Read partition by partition they would come as 1, 3, 2, 4.
BOOST_AUTO_TEST_CASE(messages_come_out_in_time_order_across_partitions) {
  time_merge<int> m;
  m.assign({0, 1});
  m.add(0, 10, 1, 1);
  m.add(0, 30, 1, 3);
  BOOST_TEST(take(m, 10).empty()); // partition 1 may hold something earlier
  m.add(1, 20, 1, 2);
  m.add(1, 40, 1, 4);
  auto out = take(m, 10);
  // 4 stays: partition 0 may still bring something before it.
  BOOST_TEST(out == (std::vector<int>{1, 2, 3}));
  m.at_end(0);
  BOOST_TEST(take(m, 10) == (std::vector<int>{4}));
}

// A history replayed, with one message stamped an hour after all of it (a
// poison message, a skewed clock) read first from partition 1. Going by its
// first message, partition 1 would wait behind it for as long as partition
// 0 has anything earlier: in a fault campaign, 17 minutes.
BOOST_AUTO_TEST_CASE(one_message_ahead_of_its_partition_does_not_hold_the_partition_back) {
  time_merge<int> m;
  m.assign({0, 1});
  m.add(1, 3600, 1, 999);
  m.add(1, 2, 1, 2);
  m.add(1, 4, 1, 4);
  m.add(0, 1, 1, 1);
  m.add(0, 3, 1, 3);
  m.add(0, 5, 1, 5);
  // Partition 1 must give 999 before 2, and goes as early as 2 does.
  BOOST_TEST(take(m, 10) == (std::vector<int>{1, 999, 2, 3, 4}));
  m.add(1, 6, 1, 6);
  BOOST_TEST(take(m, 10) == (std::vector<int>{5}));
  m.at_end(0);
  BOOST_TEST(take(m, 10) == (std::vector<int>{6}));
}

BOOST_AUTO_TEST_CASE(a_partition_at_its_end_holds_nobody_back_but_one_run_dry_does) {
  time_merge<int> m;
  m.assign({0, 1, 2});
  m.add(0, 5, 1, 50);
  m.add(1, 7, 1, 70);
  m.add(1, 8, 1, 80);
  m.add(1, 20, 1, 200);
  BOOST_TEST(!m.complete());
  BOOST_TEST(take(m, 10).empty()); // partition 2 has nothing read
  m.at_end(2);                     // the caller waited long enough for it
  // 70 waits: partition 0, run dry by this take, may bring something before it.
  BOOST_TEST(take(m, 10) == (std::vector<int>{50}));
  m.add(0, 9, 1, 90);
  BOOST_TEST(take(m, 10) == (std::vector<int>{70, 80, 90}));
  m.at_end(0);
  BOOST_TEST(take(m, 10) == (std::vector<int>{200}));
}

BOOST_AUTO_TEST_CASE(a_message_of_a_partition_at_its_end_makes_it_one_to_wait_for_again) {
  time_merge<int> m;
  m.assign({0, 1, 2});
  m.add(0, 9, 1, 90);
  m.at_end(1);
  m.at_end(2);
  BOOST_TEST(take(m, 1) == (std::vector<int>{90}));
  m.add(2, 11, 1, 110); // more arrived: partition 2 is no longer at its end
  m.add(0, 12, 1, 120);
  // 120 waits: partition 2, empty again, may bring something before it.
  BOOST_TEST(take(m, 10) == (std::vector<int>{110}));
}

BOOST_AUTO_TEST_CASE(a_new_assignment_drops_what_waited_for_partitions_gone) {
  time_merge<int> m;
  m.assign({0, 1});
  m.add(0, 1, 1, 1);
  m.add(1, 2, 1, 2);
  m.assign({1});
  BOOST_TEST(m.size() == 1u);
  BOOST_TEST(take(m, 10) == (std::vector<int>{2}));
  m.clear();
  BOOST_TEST(m.size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_take_stops_once_it_took_its_bytes_and_the_merge_counts_what_waits) {
  time_merge<int> m;
  m.assign({0});
  m.at_end(0);
  m.add(0, 1, 400, 1);
  m.add(0, 2, 400, 2);
  m.add(0, 3, 400, 3);
  BOOST_TEST(m.bytes() == 1200u);
  std::vector<int> out;
  BOOST_TEST(m.take(out, 10, 500) == 800u); // the message that crosses the bound goes too
  BOOST_TEST(out == (std::vector<int>{1, 2}));
  BOOST_TEST(m.bytes() == 400u);
  m.clear();
  BOOST_TEST(m.bytes() == 0u);
}
