#define BOOST_TEST_MODULE offset watermark
#include "actors/detail/watermark.hpp"

#include <boost/test/unit_test.hpp>

using rtad::watermark_tracker;

BOOST_AUTO_TEST_CASE(the_watermark_is_one_past_the_longest_stored_prefix) {
  watermark_tracker w;
  w.announce(0, {10, 11, 12, 13}, 1);
  BOOST_TEST(w.watermarks().empty());
  w.complete(0, 12); // out of order: a later transaction finished first
  BOOST_TEST(w.watermarks().empty());
  w.complete(0, 10);
  BOOST_TEST(w.watermarks().at(0) == 11);
  w.complete(0, 11);
  BOOST_TEST(w.watermarks().at(0) == 13);
  w.commit();
  BOOST_TEST(w.outstanding() == 1u);
  BOOST_TEST(w.watermarks().empty());
  w.complete(0, 13);
  BOOST_TEST(w.watermarks().at(0) == 14);
}

BOOST_AUTO_TEST_CASE(partitions_are_independent_and_gaps_in_offsets_are_fine) {
  watermark_tracker w;
  w.announce(0, {5, 9}, 1); // 6..8 were e.g. transaction markers
  w.announce(3, {100, 101}, 1);
  w.complete(0, 5);
  w.complete(0, 9);
  w.complete(3, 101);
  auto m = w.watermarks();
  BOOST_TEST(m.at(0) == 10);
  BOOST_TEST(m.count(3) == 0u);
  w.commit();
  BOOST_TEST(w.drained(0));
  BOOST_TEST(!w.drained(3));
  BOOST_TEST(w.drained(7)); // never seen
}

BOOST_AUTO_TEST_CASE(a_failed_write_is_taken_back) {
  watermark_tracker w;
  w.announce(1, {0, 1}, 4);
  auto id = w.complete(1, 0);
  BOOST_REQUIRE(id);
  BOOST_TEST(*id == 4u);
  w.undo(1, 0);
  BOOST_TEST(w.watermarks().empty());
  BOOST_TEST(w.outstanding() == 2u);
}

BOOST_AUTO_TEST_CASE(a_result_before_its_announcement_is_remembered) {
  watermark_tracker w;
  BOOST_TEST(!w.complete(2, 50));
  w.announce(2, {50, 51}, 9);
  BOOST_TEST(w.watermarks().at(2) == 51);
  w.forget(2);
  BOOST_TEST(w.drained(2));
}
