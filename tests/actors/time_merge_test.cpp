#define BOOST_TEST_MODULE merge by time
#include "actors/time_merge.hpp"

#include <boost/test/unit_test.hpp>

using rtad::time_merge;

// An unkeyed producer's user: transactions at 1, 2, 3, 4 went to partitions
// 0, 1, 0, 1. Read partition by partition they would come as 1, 3, 2, 4.
BOOST_AUTO_TEST_CASE(messages_come_out_in_time_order_across_partitions) {
  time_merge<int> m;
  m.assign({0, 1});
  m.add(0, 10, 1);
  m.add(0, 30, 3);
  BOOST_TEST(m.take(10, false).empty()); // partition 1 may hold something earlier
  m.add(1, 20, 2);
  m.add(1, 40, 4);
  auto out = m.take(10, false);
  // 4 stays: partition 0 may still bring something before it.
  BOOST_TEST(out == (std::vector<int>{1, 2, 3}));
  m.at_end(0);
  BOOST_TEST(m.take(10, false) == (std::vector<int>{4}));
}

BOOST_AUTO_TEST_CASE(a_partition_at_its_end_holds_nobody_back_and_anyway_takes_what_waits) {
  time_merge<int> m;
  m.assign({0, 1, 2});
  m.add(0, 5, 50);
  m.add(1, 7, 70);
  BOOST_TEST(!m.complete());
  BOOST_TEST(m.take(10, true) == (std::vector<int>{50, 70})); // waited long enough
  m.add(0, 9, 90);
  m.at_end(1);
  m.at_end(2);
  BOOST_TEST(m.take(1, false) == (std::vector<int>{90}));
  m.add(2, 11, 110); // more arrived: partition 2 is no longer at its end
  m.add(0, 12, 120);
  // 120 waits: partition 2, empty again, may bring something before it.
  BOOST_TEST(m.take(10, false) == (std::vector<int>{110}));
}

BOOST_AUTO_TEST_CASE(a_new_assignment_drops_what_waited_for_partitions_gone) {
  time_merge<int> m;
  m.assign({0, 1});
  m.add(0, 1, 1);
  m.add(1, 2, 2);
  m.assign({1});
  BOOST_TEST(m.size() == 1u);
  BOOST_TEST(m.take(10, false) == (std::vector<int>{2}));
  m.clear();
  BOOST_TEST(m.size() == 0u);
}
