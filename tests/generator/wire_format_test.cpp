#define BOOST_TEST_MODULE wire format writer
#include "generator/json_writer.hpp"
#include "generator/stream.hpp"
#include "messages/codec.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

using namespace rtad;
using namespace rtad::gen;

namespace {

transaction sample() {
  transaction t;
  t.transaction_id = "t-1";
  t.user_id = "u7";
  t.amount = 12.5;
  t.currency = "EUR";
  t.location = "DE";
  t.timestamp = 1767225600;
  t.transaction_type = "purchase";
  t.merchant_id = "M00001";
  t.merchant_name = "Corner Market";
  t.merchant_category = "groceries";
  t.payment_method = "debit_card";
  t.device_type = "mobile";
  t.ip_address = "91.1.2.3";
  t.anomalous = 0;
  return t;
}

std::string fast(const transaction& t) {
  std::string out;
  append_json(out, t);
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(generated_messages_are_byte_identical_to_encode_transaction) {
  stream_params p;
  p.users = 500;
  for (auto k : injected_kinds)
    p.fractions[static_cast<std::size_t>(k)] = 0.02;
  transaction_stream s(p);
  for (int i = 0; i < 50000; ++i) {
    const auto& t = s.next();
    BOOST_REQUIRE_EQUAL(fast(t), encode_transaction(t));
  }
}

BOOST_AUTO_TEST_CASE(every_cent_amount_is_written_as_the_json_library_writes_the_double) {
  std::string out;
  for (std::int64_t cents = 1; cents <= 500'000; ++cents) {
    out.clear();
    append_cents(out, cents);
    BOOST_REQUIRE_EQUAL(out, nlohmann::json(static_cast<double>(cents) / 100.0).dump());
  }
  // Large amounts up to the codec's limit of 1e9, sampled.
  std::uint64_t state = 1;
  for (int i = 0; i < 200000; ++i) {
    const auto cents = static_cast<std::int64_t>(splitmix64(state) % 100'000'000'000ULL) + 1;
    out.clear();
    append_cents(out, cents);
    BOOST_REQUIRE_EQUAL(out, nlohmann::json(static_cast<double>(cents) / 100.0).dump());
  }
}

BOOST_AUTO_TEST_CASE(unusual_text_and_amounts_fall_back_to_the_same_bytes) {
  std::vector<transaction> cases(8, sample());
  cases[0].merchant_name = "Bob's \"Best\" \\ Shop";
  cases[1].merchant_name = "line\nbreak\ttab\x01";
  cases[2].merchant_name = "Café Zürich";
  cases[3].amount = 0.1 + 0.2; // not on the cent grid
  cases[4].amount = 123456789.125;
  cases[5].anomalous = -1; // no ground truth: no _anomalous key
  cases[6].anomalous = 1;
  cases[6].fraud_type = "card_testing";
  cases[7].amount = 1e-5;
  for (const auto& t : cases)
    BOOST_TEST(fast(t) == encode_transaction(t));
}

BOOST_AUTO_TEST_CASE(what_the_writer_writes_decodes_to_the_same_transaction) {
  auto t = sample();
  t.anomalous = 1;
  t.fraud_type = "amount_spike";
  auto r = decode_transaction(fast(t));
  BOOST_REQUIRE(std::holds_alternative<transaction>(r));
  const auto& back = std::get<transaction>(r);
  BOOST_TEST(back.amount == t.amount);
  BOOST_TEST(back.merchant_name == t.merchant_name);
  BOOST_TEST(back.ip_address == t.ip_address);
  BOOST_TEST(back.anomalous == 1);
  BOOST_TEST(back.fraud_type == "amount_spike");
}
