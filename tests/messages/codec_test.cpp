#define BOOST_TEST_MODULE wire format codec
#include "messages/codec.hpp"

#include <boost/test/unit_test.hpp>

using namespace rtad;

namespace {

// A message exactly as the original Python producer wrote it.
const std::string original = R"({
  "transaction_id": "a1b2c3", "user_id": 42, "amount": 129.99, "currency": "USD",
  "location": "US", "timestamp": 1714000000.5, "transaction_type": "purchase",
  "merchant": {"merchant_id": "m-7", "name": "Corner Shop", "category": "groceries"},
  "payment_method": "credit_card",
  "device_info": {"type": "mobile", "ip_address": "10.0.0.1"},
  "_anomalous": false
})";

std::string reason_of(const std::string& bytes) {
  auto r = decode_transaction(bytes);
  BOOST_REQUIRE(std::holds_alternative<decode_error>(r));
  return std::get<decode_error>(r).reason;
}

std::string with(const std::string& from, const std::string& to) {
  auto s = original;
  auto at = s.find(from);
  BOOST_REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

} // namespace

BOOST_AUTO_TEST_CASE(the_original_format_is_accepted_as_it_is) {
  auto r = decode_transaction(original);
  BOOST_REQUIRE(std::holds_alternative<transaction>(r));
  const auto& t = std::get<transaction>(r);
  BOOST_TEST(t.transaction_id == "a1b2c3");
  BOOST_TEST(t.user_id == "42");
  BOOST_TEST(t.amount == 129.99);
  BOOST_TEST(t.timestamp == 1714000000);
  BOOST_TEST(t.merchant_category == "groceries");
  BOOST_TEST(t.device_type == "mobile");
  BOOST_TEST(t.anomalous == 0);
}

BOOST_AUTO_TEST_CASE(string_user_ids_and_missing_ground_truth_are_fine) {
  auto r = decode_transaction(with(R"("user_id": 42)", R"("user_id": "u-42")")
                                .replace(original.find("\"_anomalous\""), 0, ""));
  BOOST_REQUIRE(std::holds_alternative<transaction>(r));
  BOOST_TEST(std::get<transaction>(r).user_id == "u-42");
}

BOOST_AUTO_TEST_CASE(encode_then_decode_round_trips) {
  auto t = std::get<transaction>(decode_transaction(original));
  t.anomalous = 1;
  t.fraud_type = "account_takeover";
  auto back = decode_transaction(encode_transaction(t));
  BOOST_REQUIRE(std::holds_alternative<transaction>(back));
  const auto& u = std::get<transaction>(back);
  BOOST_TEST(u.transaction_id == t.transaction_id);
  BOOST_TEST(u.amount == t.amount);
  BOOST_TEST(u.ip_address == t.ip_address);
  BOOST_TEST(u.anomalous == 1);
  BOOST_TEST(u.fraud_type == "account_takeover");
}

BOOST_AUTO_TEST_CASE(bad_input_is_rejected_with_a_reason) {
  BOOST_TEST(reason_of("{not json") == "not valid JSON");
  BOOST_TEST(reason_of("[1,2]").find("expected a JSON object") == 0u);
  BOOST_TEST(reason_of(with(R"("amount": 129.99)", R"("amount": -5)")).find("positive") !=
             std::string::npos);
  BOOST_TEST(reason_of(with(R"("amount": 129.99)", R"("amount": 1e12)")).find("absurd") !=
             std::string::npos);
  BOOST_TEST(reason_of(with(R"("amount": 129.99)", R"("amount": "12")")) ==
             "field 'amount' must be a number, got string");
  BOOST_TEST(reason_of(with(R"("currency": "USD",)", "")) == "missing field 'currency'");
  BOOST_TEST(reason_of(with(R"("name": "Corner Shop", )", "")) == "missing field 'merchant.name'");
  BOOST_TEST(
    reason_of(with(R"("timestamp": 1714000000.5)", R"("timestamp": 12)")).find("outside") !=
    std::string::npos);
  BOOST_TEST(reason_of(with(R"("_anomalous": false)", R"("_anomalous": "no")")).find("boolean") !=
             std::string::npos);
}
