#define BOOST_TEST_MODULE epoch_model
#include "models/epoch_model.hpp"
#include "models/features.hpp"

#include <boost/test/unit_test.hpp>
#include <random>

using namespace rtad::models;

namespace {

constexpr std::int64_t epoch_size = 64;

epoch_model fresh() {
  return epoch_model(global_model(user_feature_count, {20, 64, 3}, 512, 64), 4096);
}

/// Tells `m` the epochs of `partition`'s offsets [from, to) in epochs of
/// `epoch_size`, as its reader would.
void enter(epoch_model& m, std::int32_t partition, std::int64_t from, std::int64_t to) {
  for (auto o = from; o < to; ++o)
    if (o == from || o % epoch_size == 0)
      m.enter(partition, o / epoch_size, o);
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
    enter(m, r.partition, r.offset, r.offset + 1);
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
  BOOST_TEST(scoring_epoch(plan.of(600)) == 0);
  BOOST_TEST(plan.of(4095) == 15);
  BOOST_TEST(plan.of(4096) == 16); // then epochs of 512
  BOOST_TEST(plan.of(8191) == 23);
  BOOST_TEST(plan.of(8192) == 24);  // of 1024
  BOOST_TEST(plan.of(32768) == 40); // of 4096 from here on
  BOOST_TEST(plan.of(32768 + 4095) == 40);
  BOOST_TEST(plan.of(32768 + 4096) == 41);
  BOOST_TEST(plan.of(1 << 30) == 40 + ((1 << 30) - 32768) / 4096);
  // Every offset's epoch is one more than its predecessor's or the same.
  for (std::int64_t o = 1; o < 100000; ++o)
    BOOST_TEST_REQUIRE(plan.of(o) - plan.of(o - 1) <= 1);
}

BOOST_AUTO_TEST_CASE(a_young_partition_has_small_epochs_and_a_grown_one_the_same_as_before) {
  // A node's plan: epochs of 64 offsets while the population model is
  // young, then as a plan starting from 256 would have them.
  auto plan = epoch_plan_of(4096, 0);
  BOOST_TEST(plan.of(63) == 0);
  BOOST_TEST(plan.of(64) == 1);
  BOOST_TEST(plan.of(1024) == 16);
  epoch_plan before{256, 4096};
  for (std::int64_t o : {2048, 4096, 10000, 40000, 1000000}) // as many epochs from there on
    BOOST_TEST(plan.of(o + 5000) - plan.of(o) == before.of(o + 5000) - before.of(o));
  BOOST_TEST(epoch_plan_of(16, 0).first == 16); // never more than the most
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

BOOST_AUTO_TEST_CASE(a_filling_population_gets_a_new_reference_every_epoch_a_full_one_less_often) {
  // The population window holds 4,096 rows: the first 4,096 (32 epochs of
  // two partitions) fill it.
  auto snapshots = run(stream(7000));
  std::size_t filling = 0, renewed_filling = 0, full = 0, renewed_full = 0;
  const population_reference* last = nullptr;
  for (const auto& [epoch, s] : snapshots) {
    if (!s.population || !last) {
      last = s.population.get();
      continue;
    }
    bool renewed = s.population.get() != last;
    auto learnt = (epoch + 1) * epoch_size * 2; // rows of epochs up to this one
    if (learnt < 4096)
      ++filling, renewed_filling += renewed;
    else if (learnt > 4096)
      ++full, renewed_full += renewed;
    last = s.population.get();
  }
  BOOST_TEST_REQUIRE(filling > 5u);
  BOOST_TEST(renewed_filling == filling);
  BOOST_TEST_REQUIRE(full > 8u);
  BOOST_TEST(renewed_full * 4 <= full); // a quarter of 4,096 rows: every eighth epoch
}

BOOST_AUTO_TEST_CASE(an_epoch_closes_once_every_partition_stored_it) {
  auto m = fresh();
  m.assign({0, 1});
  m.start(0, 0);
  m.enter(0, 0, 0);
  BOOST_TEST(m.advance().empty()); // partition 1 has not started: nothing closes
  m.start(1, 0);
  BOOST_TEST(m.advance().empty()); // nor begun an epoch
  m.enter(1, 0, 0);
  auto first = m.advance();
  BOOST_TEST_REQUIRE(first.size() == 1u);
  BOOST_TEST(first[0].epoch == -1); // nothing stored yet: the model it started with
  user_features x{};
  enter(m, 0, 0, 3 * epoch_size);
  for (std::int64_t o = 0; o < 3 * epoch_size; ++o)
    m.add(0, o, x.data(), 0.5f, "groceries");
  m.stored(0, 3 * epoch_size);
  BOOST_TEST(m.advance().empty()); // partition 1 is still in epoch 0
  enter(m, 1, 0, epoch_size);
  m.stored(1, epoch_size);
  BOOST_TEST(m.advance().empty()); // its reader is not past epoch 0 yet: it may go on
  enter(m, 1, epoch_size, epoch_size + 1);
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
  enter(m, 0, 0, 2 * epoch_size + 1);
  for (std::int64_t o = 0; o < 2 * epoch_size; ++o)
    m.add(0, o, x.data(), 0.5f, "groceries");
  m.stored(0, 2 * epoch_size);
  m.advance();
  BOOST_TEST(m.closed() == 1);
  // New traffic on partition 1: it counts again.
  enter(m, 1, 0, 1);
  m.stored(1, 1);
  m.stored(0, 4 * epoch_size);
  m.advance();
  BOOST_TEST(m.closed() == 1);
}

BOOST_AUTO_TEST_CASE(a_book_gives_the_snapshot_two_epochs_back_and_nothing_while_open) {
  epoch_book<int> book;
  BOOST_TEST(book.for_epoch(0) == nullptr); // nothing closed yet
  book.add(-1, 7);
  BOOST_TEST_REQUIRE(book.for_epoch(1) != nullptr); // epoch 1 needs epoch -1
  BOOST_TEST(*book.for_epoch(1) == 7);
  BOOST_TEST(book.for_epoch(2) == nullptr); // epoch 2 needs epoch 0, still open
  book.add(0, 8);
  book.add(2, 9); // epoch 1 had no rows
  BOOST_TEST(*book.for_epoch(2) == 8);
  BOOST_TEST(*book.for_epoch(3) == 8); // epoch 3 needs epoch 1: as epoch 0 left it
  BOOST_TEST(*book.for_epoch(4) == 9);
  BOOST_TEST(book.for_epoch(5) == nullptr);
}

BOOST_AUTO_TEST_CASE(event_time_begins_an_epoch_per_period_and_never_goes_back) {
  epoch_plan plan{256, 4096, 3600};
  BOOST_TEST(plan.of(300, 7200 + 5) == plan.of(300) + 2);
  epoch_clock clock(plan);
  auto [e0, b0] = clock.next(0, 3600 * 10);
  BOOST_TEST(e0 == 10);
  BOOST_TEST(b0);
  auto [e1, b1] = clock.next(1, 3600 * 10 + 100);
  BOOST_TEST(e1 == 10);
  BOOST_TEST(!b1);
  // A late timestamp keeps the partition where its newest took it.
  BOOST_TEST(clock.peek(2, 3600 * 3) == 10);
  auto [e2, b2] = clock.next(2, 3600 * 3);
  BOOST_TEST(e2 == 10);
  BOOST_TEST(!b2);
  // Three quiet hours later: an epoch on per message until it is there.
  BOOST_TEST(clock.peek(3, 3600 * 13) == 11);
  BOOST_TEST(clock.next(3, 3600 * 13).second);
  BOOST_TEST(clock.next(4, epoch_clock::no_time).first == 11); // a message without a time
  BOOST_TEST(clock.next(5, 3600 * 13).first == 12);
  BOOST_TEST(clock.next(6, 3600 * 13).first == 13);
  BOOST_TEST(clock.next(7, 3600 * 13).first == 13);
  BOOST_TEST(clock.at(256) == 14);                                       // by offset as well
  BOOST_TEST(epoch_plan{}.of(300, 3600 * 1000) == epoch_plan{}.of(300)); // seconds 0: offsets only
}

BOOST_AUTO_TEST_CASE(one_message_stamped_days_ahead_moves_its_partition_one_epoch_at_most) {
  // A replayed history of a week ago, one message stamped today (a device's
  // wrong clock; the door lets it in, it is not in the future). Taken at its
  // word it put its partition 7 epochs ahead of the others, and the source
  // held the partition until they were 6 days further in event time.
  epoch_plan plan{256, 4096, 86400};
  const std::int64_t week_ago = 86400 * 20000;
  epoch_clock clock(plan), plain(plan);
  for (std::int64_t offset = 0; offset < 10; ++offset) {
    auto t = week_ago + offset * 60;
    auto stamped = offset == 5 ? week_ago + 7 * 86400 : t;
    auto e = clock.next(offset, stamped).first;
    BOOST_TEST(e <= plain.next(offset, t).first + 1, "offset " << offset << ": epoch " << e);
  }
}

BOOST_AUTO_TEST_CASE(a_clock_skips_to_the_epoch_it_is_told_before_its_first_message_too) {
  // Back from the end of its log, a partition goes on from the furthest
  // partition's epoch: exactly there, also when it had no message yet (a
  // fresh assignment), or it would run days of epochs ahead of every other.
  epoch_plan plan{256, 4096, 3600};
  const std::int64_t time = 3600 * 100;
  epoch_clock fresh_clock(plan);
  fresh_clock.skip_to(300, time, 150);
  BOOST_TEST(fresh_clock.next(300, time).first == 150);
  epoch_clock going(plan);
  going.next(299, time);
  going.skip_to(300, time, 150);
  BOOST_TEST(going.next(300, time).first == 150);
  going.skip_to(301, time, 120); // never back
  BOOST_TEST(going.next(301, time).first == 150);
}

BOOST_AUTO_TEST_CASE(after_a_quiet_spell_a_transaction_does_not_wait_for_its_model) {
  // Two partitions at the end of their logs (live traffic); a message comes
  // three epochs after the last one: its epoch's scoring model is the one
  // every stored row made, and it closes as soon as the reader tells where
  // the new epoch begins, not when the next row is stored.
  auto m = fresh();
  m.assign({0, 1});
  m.start(0, 0);
  m.start(1, 0);
  user_features x{};
  m.enter(0, 10, 0);
  m.enter(1, 10, 0);
  for (std::int64_t o = 0; o < 5; ++o) {
    m.add(0, o, x.data(), 0.5f, "groceries");
    m.add(1, o, x.data(), 0.5f, "groceries");
  }
  m.stored(0, 5);
  m.stored(1, 5);
  m.idle(0, 5);
  m.idle(1, 5);
  epoch_book<epoch_snapshot> book;
  for (auto& s : m.advance())
    book.add(s.epoch, s);
  BOOST_TEST(m.closed() == 9); // epoch 10 may still go on
  BOOST_TEST(book.for_epoch(13) == nullptr);
  m.enter(1, 13, 5);
  for (auto& s : m.advance())
    book.add(s.epoch, s);
  BOOST_TEST(m.closed() == 12);
  const auto* s = book.for_epoch(13);
  BOOST_TEST_REQUIRE(s != nullptr);
  BOOST_TEST(s->epoch == 10); // as the stored rows of epoch 10 left it
}
