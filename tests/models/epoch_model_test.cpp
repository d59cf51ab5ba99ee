#define BOOST_TEST_MODULE epoch_model
#include "models/epoch_model.hpp"
#include "models/features.hpp"

#include <boost/test/unit_test.hpp>
#include <random>

using namespace rtad::models;

namespace {

constexpr std::int64_t epoch_size = 64;

epoch_model fresh() {
  return epoch_model(global_model(user_feature_count, {20, 64, 3}, 512, 64),
                     epoch_plan{epoch_size, epoch_size}, 4096);
}

struct row {
  std::int32_t partition;
  std::int64_t offset;
  user_features x;
};

/// Rows of two partitions, each numbered from offset 0, in stream order.
std::vector<row> stream(int n) {
  std::mt19937 gen(4);
  std::uniform_real_distribution<float> u(0, 1);
  std::vector<row> out;
  std::int64_t next[2] = {0, 0};
  for (int i = 0; i < n; ++i) {
    row r;
    r.partition = u(gen) < 0.5 ? 0 : 1;
    r.offset = next[r.partition]++;
    for (auto& v : r.x)
      v = u(gen);
    out.push_back(r);
  }
  return out;
}

/// Feeds `rows` in the given order, storing each at once; the published
/// snapshots by epoch.
std::map<std::int64_t, epoch_snapshot> run(const std::vector<row>& rows) {
  auto m = fresh();
  m.assign({0, 1});
  m.start(0, 0);
  m.start(1, 0);
  std::map<std::int64_t, epoch_snapshot> out;
  auto take = [&] {
    for (auto& s : m.advance())
      out[s.epoch] = s;
  };
  take();
  std::int64_t stored[2] = {0, 0};
  for (const auto& r : rows) {
    m.add(r.partition, r.offset, r.x.data(), 0.5f, "groceries");
    m.stored(r.partition, ++stored[r.partition]);
    take();
  }
  m.idle(0, stored[0]);
  m.idle(1, stored[1]);
  take();
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(epochs_grow_with_the_offset_up_to_the_most) {
  epoch_plan plan{256, 4096};
  BOOST_TEST(plan.of(0) == 0);
  BOOST_TEST(plan.of(255) == 0);
  BOOST_TEST(plan.of(256) == 1);
  BOOST_TEST(plan.scoring(600) == 0);
  BOOST_TEST(plan.of(4095) == 15);
  BOOST_TEST(plan.of(4096) == 16);      // then epochs of 512
  BOOST_TEST(plan.of(8191) == 23);
  BOOST_TEST(plan.of(8192) == 24);      // of 1024
  BOOST_TEST(plan.of(32768) == 40);     // of 4096 from here on
  BOOST_TEST(plan.of(32768 + 4095) == 40);
  BOOST_TEST(plan.of(32768 + 4096) == 41);
  BOOST_TEST(plan.of(1 << 30) == 40 + ((1 << 30) - 32768) / 4096);
  // Every offset's epoch is one more than its predecessor's or the same.
  for (std::int64_t o = 1; o < 100000; ++o)
    BOOST_TEST_REQUIRE(plan.of(o) - plan.of(o - 1) <= 1);
}

BOOST_AUTO_TEST_CASE(the_same_rows_in_another_order_give_the_same_snapshots) {
  auto rows = stream(3000);
  auto in_order = run(rows);
  // Partition 1 entirely first, as when one partition runs far ahead.
  std::vector<row> skewed;
  for (int p : {1, 0})
    for (const auto& r : rows)
      if (r.partition == p)
        skewed.push_back(r);
  auto ahead = run(skewed);
  BOOST_TEST_REQUIRE(in_order.size() > 10u);
  BOOST_TEST_REQUIRE(in_order.size() == ahead.size());
  user_features probe{};
  probe.fill(0.9f);
  for (const auto& [epoch, s] : in_order) {
    BOOST_TEST_CONTEXT("epoch " << epoch) {
      const auto& t = ahead.at(epoch);
      BOOST_TEST(s.version == t.version);
      BOOST_TEST_REQUIRE(bool(s.forest) == bool(t.forest));
      if (s.forest)
        BOOST_TEST(s.forest->score(probe.data()) == t.forest->score(probe.data()));
      BOOST_TEST_REQUIRE(bool(s.population) == bool(t.population));
      if (s.population)
        BOOST_TEST(s.population->rows() == t.population->rows());
    }
  }
}

BOOST_AUTO_TEST_CASE(an_epoch_closes_once_every_partition_stored_it) {
  auto m = fresh();
  m.assign({0, 1});
  m.start(0, 0);
  BOOST_TEST(m.advance().empty()); // partition 1 has not started: nothing closes
  m.start(1, 0);
  auto first = m.advance();
  BOOST_TEST_REQUIRE(first.size() == 1u);
  BOOST_TEST(first[0].epoch == -1); // nothing stored yet: the model it started with
  user_features x{};
  for (std::int64_t o = 0; o < 3 * epoch_size; ++o)
    m.add(0, o, x.data(), 0.5f, "groceries");
  m.stored(0, 3 * epoch_size);
  BOOST_TEST(m.advance().empty()); // partition 1 is still in epoch 0
  m.stored(1, epoch_size);
  auto closed = m.advance();
  BOOST_TEST_REQUIRE(closed.size() == 1u);
  BOOST_TEST(closed[0].epoch == 0);
  BOOST_TEST(m.closed() == 0);
}

BOOST_AUTO_TEST_CASE(a_partition_at_the_end_of_its_log_holds_nothing_back) {
  auto m = fresh();
  m.assign({0, 1});
  m.start(0, 0);
  m.start(1, 0);
  m.advance();
  m.idle(1, 0); // empty, all of it stored
  user_features x{};
  for (std::int64_t o = 0; o < 2 * epoch_size; ++o)
    m.add(0, o, x.data(), 0.5f, "groceries");
  m.stored(0, 2 * epoch_size);
  m.advance();
  BOOST_TEST(m.closed() == 1);
  // New traffic on partition 1: it counts again.
  m.stored(1, 1);
  m.stored(0, 4 * epoch_size);
  m.advance();
  BOOST_TEST(m.closed() == 1);
}

BOOST_AUTO_TEST_CASE(a_book_gives_the_snapshot_two_epochs_back_and_nothing_while_open) {
  epoch_book<int> book(epoch_plan{100, 100});
  BOOST_TEST(book.for_offset(0) == nullptr); // nothing closed yet
  book.add(-1, 7);
  BOOST_TEST_REQUIRE(book.for_offset(150) != nullptr); // epoch 1 needs epoch -1
  BOOST_TEST(*book.for_offset(150) == 7);
  BOOST_TEST(book.for_offset(250) == nullptr); // epoch 2 needs epoch 0, still open
  book.add(0, 8);
  book.add(2, 9); // epoch 1 had no rows
  BOOST_TEST(*book.for_offset(250) == 8);
  BOOST_TEST(*book.for_offset(350) == 8); // epoch 3 needs epoch 1: as epoch 0 left it
  BOOST_TEST(*book.for_offset(450) == 9);
  BOOST_TEST(book.for_offset(550) == nullptr);
}
