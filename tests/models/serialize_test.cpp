#define BOOST_TEST_MODULE checkpoints
#include "model_fixture.hpp"
#include "models/serialize.hpp"

#include <boost/test/unit_test.hpp>
#include <random>

using namespace rtad::models;
using rtad::test::feed;
using rtad::test::user_stream;

namespace {

user_model trained_model(unsigned seed, int n = 400) {
  user_model m;
  user_stream s(seed, 55);
  feed(m, s, n);
  return m;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_user_model_round_trips_exactly_and_behaves_the_same_afterwards) {
  auto global = rtad::test::population_forest();
  user_model a;
  user_stream s(31, 55);
  feed(a, s, 400, &global);
  auto bytes = model_codec::save(a);
  auto b = model_codec::load_user_model(bytes.data(), bytes.size());
  BOOST_TEST((a == b));
  // Same future: identical verdicts and identical state after more traffic.
  user_stream s2 = s;
  for (int i = 0; i < 150; ++i) {
    auto t = s.next();
    auto t2 = s2.next();
    auto xa = a.features(t.view());
    auto xb = b.features(t2.view());
    auto va = global.assess(a, xa);
    auto vb = global.assess(b, xb);
    BOOST_REQUIRE(va.score == vb.score);
    a.record(t.view(), xa, va, "t" + std::to_string(i));
    b.record(t2.view(), xb, vb, "t" + std::to_string(i));
  }
  BOOST_TEST((a == b));
}

BOOST_AUTO_TEST_CASE(the_default_user_state_is_compact) {
  auto m = trained_model(32);
  auto bytes = model_codec::save(m);
  BOOST_TEST_MESSAGE("user model checkpoint: " << bytes.size() << " bytes, "
                                               << m.forest().node_count() << " nodes");
  BOOST_TEST(bytes.size() <= 24u * 1024);
}

BOOST_AUTO_TEST_CASE(every_truncation_is_refused_with_an_error) {
  auto bytes = model_codec::save(trained_model(33, 60));
  for (std::size_t n = 0; n < bytes.size(); ++n)
    BOOST_CHECK_THROW(model_codec::load_user_model(bytes.data(), n), codec_error);
}

BOOST_AUTO_TEST_CASE(every_flipped_byte_is_refused_with_an_error) {
  auto bytes = model_codec::save(trained_model(34, 60));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto copy = bytes;
    copy[i] ^= 0x5a;
    BOOST_CHECK_THROW(model_codec::load_user_model(copy.data(), copy.size()), codec_error);
  }
}

BOOST_AUTO_TEST_CASE(foreign_and_future_bytes_say_what_is_wrong) {
  auto bytes = model_codec::save(trained_model(35, 40));
  auto message_of = [](std::vector<std::uint8_t> b) {
    try {
      model_codec::load_user_model(b.data(), b.size());
    } catch (const codec_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto foreign = bytes;
  foreign[0] = 'X';
  BOOST_TEST(message_of(foreign) == "not a user model checkpoint (bad magic)");
  auto future = bytes;
  future[4] = checkpoint_format + 1;
  auto crc = crc32(future.data(), future.size() - 4);
  std::memcpy(future.data() + future.size() - 4, &crc, 4);
  BOOST_TEST(message_of(future).find("format 2 is not supported") != std::string::npos);
  BOOST_TEST(message_of({}) == "user model checkpoint truncated (0 bytes)");
}

BOOST_AUTO_TEST_CASE(forests_round_trip_with_float_and_half_splits) {
  std::vector<float> data;
  for (int i = 0; i < 500; ++i)
    for (int f = 0; f < 4; ++f)
      data.push_back(to_half_precision(static_cast<float>((i * 37 + f * 11) % 101) / 7.0f));
  for (bool half : {false, true}) {
    isolation_forest f(4, {30, 128, 9, half});
    f.fit({data.data(), 500, 4});
    auto bytes = model_codec::save(f);
    auto g = model_codec::load_forest(bytes.data(), bytes.size());
    BOOST_TEST((f == g));
    BOOST_TEST(f.score(data.data() + 8) == g.score(data.data() + 8));
  }
  isolation_forest untrained(3, {});
  auto bytes = model_codec::save(untrained);
  BOOST_TEST(!model_codec::load_forest(bytes.data(), bytes.size()).trained());
}

BOOST_AUTO_TEST_CASE(a_global_model_round_trips_with_its_window_and_keeps_learning_alike) {
  std::mt19937 gen(12);
  std::normal_distribution<float> n(0, 1);
  auto domains = user_feature_domains();
  global_model a(user_feature_count, {40, 64, 3, true}, 512, 64, domains);
  auto row = [&] {
    user_features x;
    for (auto& v : x)
      v = to_half_precision(n(gen));
    return x;
  };
  for (int i = 0; i < 700; ++i)
    a.observe(row().data());
  auto bytes = model_codec::save(a);
  auto b = model_codec::load_global_model(bytes.data(), bytes.size(), domains);
  BOOST_REQUIRE(b.snapshot());
  BOOST_TEST((b.forest() == a.forest()));
  BOOST_TEST(b.version() == a.version());
  BOOST_TEST(b.rows() == a.rows());
  for (int i = 0; i < 300; ++i) {
    auto x = row();
    BOOST_TEST(a.observe(x.data()) == b.observe(x.data()));
  }
  BOOST_TEST((b.forest() == a.forest()));
  auto probe = row();
  BOOST_TEST(a.snapshot()->score(probe.data()) == b.snapshot()->score(probe.data()));
  bytes[bytes.size() / 2] ^= 0x40;
  BOOST_CHECK_THROW(model_codec::load_global_model(bytes.data(), bytes.size(), domains),
                    codec_error);
}
