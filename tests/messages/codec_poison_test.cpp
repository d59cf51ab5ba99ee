#define BOOST_TEST_MODULE wire format codec against poison
// Messages that decode as JSON but cannot be stored or make no sense: each
// must come back as a reason (for quarantine), never as a transaction that
// later makes PostgreSQL refuse a whole batch.
#include "messages/codec.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

using namespace rtad;
using json = nlohmann::json;

namespace {

constexpr std::int64_t now = 1796400000; // 2026-12-04, the node's clock in these tests

json good() {
  return json::parse(R"({
    "transaction_id": "a1b2c3", "user_id": "u-42", "amount": 129.99, "currency": "USD",
    "location": "US", "timestamp": 1796390000, "transaction_type": "purchase",
    "merchant": {"merchant_id": "m-7", "name": "Corner Shop", "category": "groceries"},
    "payment_method": "credit_card",
    "device_info": {"type": "mobile", "ip_address": "10.0.0.1"},
    "fraud_type": "none"
  })");
}

/// Every text field that is stored, as a JSON pointer and as reasons name it.
const std::vector<std::pair<std::string, std::string>> text_fields{
  {"/transaction_id", "transaction_id"},
  {"/user_id", "user_id"},
  {"/currency", "currency"},
  {"/location", "location"},
  {"/transaction_type", "transaction_type"},
  {"/payment_method", "payment_method"},
  {"/merchant/merchant_id", "merchant.merchant_id"},
  {"/merchant/name", "merchant.name"},
  {"/merchant/category", "merchant.category"},
  {"/device_info/type", "device_info.type"},
  {"/device_info/ip_address", "device_info.ip_address"},
  {"/fraud_type", "fraud_type"}};

bool is_id(const std::string& name) {
  return name == "transaction_id" || name == "user_id" || name == "merchant.merchant_id";
}

std::string with_text(const std::string& pointer, const std::string& value) {
  auto j = good();
  j[json::json_pointer(pointer)] = value;
  return j.dump(); // escapes NUL as \u0000, as a producer would
}

/// `pointer` set to raw `bytes` that are not UTF-8 (json::dump refuses to write them).
std::string with_raw_bytes(const std::string& pointer, const std::string& bytes) {
  auto s = with_text(pointer, "@@PLACEHOLDER@@");
  return s.replace(s.find("@@PLACEHOLDER@@"), 15, bytes);
}

decode_options at_now() {
  decode_options o;
  o.now = now;
  o.max_future_s = 86400;
  return o;
}

std::string reason_of(const std::string& bytes, const decode_options& o = at_now()) {
  auto r = decode_transaction(bytes, o);
  BOOST_REQUIRE_MESSAGE(std::holds_alternative<decode_error>(r), "accepted: " << bytes);
  const auto& reason = std::get<decode_error>(r).reason;
  // The reason is stored as text: it must never carry what it complains about.
  BOOST_TEST(reason.find('\0') == std::string::npos);
  return reason;
}

bool accepted(const std::string& bytes, const decode_options& o = at_now()) {
  return std::holds_alternative<transaction>(decode_transaction(bytes, o));
}

} // namespace

BOOST_AUTO_TEST_CASE(the_good_message_is_accepted) {
  BOOST_TEST(accepted(good().dump()));
}

BOOST_AUTO_TEST_CASE(a_nul_character_in_any_text_field_is_rejected_naming_the_field) {
  for (const auto& [pointer, name] : text_fields)
    BOOST_TEST(reason_of(with_text(pointer, std::string("u\0x", 3))) ==
                 "field '" + name + "' contains a NUL character (at byte 1)",
               name);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_in_any_text_field_is_rejected_as_not_utf8) {
  // A stray Latin-1 byte, an overlong '/', a UTF-16 surrogate, a cut sequence.
  for (const std::string bad : {"caf\xe9", "\xc0\xaf", "\xed\xa0\x80", "ab\xe2\x82"})
    for (const auto& [pointer, name] : text_fields)
      BOOST_TEST(
        reason_of(with_raw_bytes(pointer, bad)).rfind("not valid JSON: not UTF-8 at byte", 0) == 0u,
        name);
  // Real UTF-8 is welcome: names of shops and places are not ASCII.
  BOOST_TEST(accepted(with_text("/merchant/name", "Caf\xc3\xa9 Z\xc3\xbcrich \xf0\x9f\x8d\xb0")));
}

BOOST_AUTO_TEST_CASE(over_long_text_is_rejected_with_its_limit_nested_fields_too) {
  for (const auto& [pointer, name] : text_fields) {
    auto limit = is_id(name) ? max_id_bytes : max_text_bytes;
    BOOST_TEST(accepted(with_text(pointer, std::string(limit, 'x'))), name);
    BOOST_TEST(reason_of(with_text(pointer, std::string(limit + 1, 'x'))) ==
                 "field '" + name + "' is longer than " + std::to_string(limit) + " bytes (" +
                   std::to_string(limit + 1) + ")",
               name);
  }
}

BOOST_AUTO_TEST_CASE(a_timestamp_too_far_ahead_of_the_clock_is_rejected_old_ones_are_not) {
  auto at = [](std::int64_t ts) {
    auto j = good();
    j["timestamp"] = ts;
    return j.dump();
  };
  BOOST_TEST(accepted(at(now + 86400))); // a fast producer clock is tolerated
  BOOST_TEST(
    reason_of(at(now + 86401)) ==
    "timestamp 1796486401 is 86401 s ahead of the node's clock (input.max_future_s = 86400)");
  BOOST_TEST(reason_of(at(4070908800)).find("ahead of the node's clock") !=
             std::string::npos);                          // 2099
  BOOST_TEST(accepted(at(now - 5L * 365 * 86400)));       // a replay of old traffic
  BOOST_TEST(accepted(at(4070908800), decode_options{})); // without a clock (files): range only
}

BOOST_AUTO_TEST_CASE(a_reason_quoting_a_field_name_escapes_what_text_cannot_hold) {
  auto j = good();
  j[std::string("bad\0key", 7)] = 1;
  BOOST_TEST(accepted(j.dump())); // unknown fields are not stored: harmless
  auto strict = at_now();
  strict.refuse_unknown_fields = true;
  BOOST_TEST(reason_of(j.dump(), strict) ==
             "unknown field 'bad\\x00key' (input.unknown_fields = quarantine)");
}

BOOST_AUTO_TEST_CASE(unknown_fields_top_level_or_nested_are_accepted_and_counted_or_refused) {
  auto j = good();
  j["loyalty_tier"] = "gold";
  j["merchant"]["mcc"] = 5411;
  j["device_info"]["os"] = {{"name", "android"}, {"version", {14, 2}}};
  std::uint64_t unknown = 0;
  auto o = at_now();
  o.unknown_fields = &unknown;
  auto r = decode_transaction(j.dump(), o);
  BOOST_TEST_REQUIRE(std::holds_alternative<transaction>(r));
  BOOST_TEST(std::get<transaction>(r).merchant_category == "groceries");
  BOOST_TEST(unknown == 3u);
  o.refuse_unknown_fields = true;
  BOOST_TEST(reason_of(j.dump(), o) ==
             "unknown field 'loyalty_tier' (input.unknown_fields = quarantine)");
  j.erase("loyalty_tier");
  BOOST_TEST(reason_of(j.dump(), o) ==
             "unknown field 'merchant.mcc' (input.unknown_fields = quarantine)");
  j["merchant"].erase("mcc");
  BOOST_TEST(reason_of(j.dump(), o) ==
             "unknown field 'device_info.os' (input.unknown_fields = quarantine)");
  j["device_info"].erase("os");
  BOOST_TEST(accepted(j.dump(), o));
  BOOST_TEST(unknown == 3u); // counted for accepted messages only, once
}

BOOST_AUTO_TEST_CASE(an_unknown_field_nested_a_million_deep_is_harmless) {
  auto j = good().dump();
  j.pop_back(); // the closing brace
  j += R"(, "deep": )" + std::string(1000000, '[') + std::string(1000000, ']') + "}";
  BOOST_TEST(accepted(j));
}

// The decoder reads fields as they come (simdjson On-Demand) instead of
// building the document first: what is not JSON must still be refused as a
// whole, wherever it hides, unknown fields included.
BOOST_AUTO_TEST_CASE(what_is_not_json_is_refused_wherever_it_hides) {
  auto g = good().dump();
  auto with_unknown = [&](const std::string& raw) {
    auto s = g;
    s.pop_back();
    return s + R"(, "extra": )" + raw + "}";
  };
  for (const std::string raw : {"tru", "nul", R"(null"x")", "01", "1.", "-", "1e400",
                                R"([1, {"a": tru}])", R"({"a": "\ud800"})", "[1,]", R"({"a" 1})"})
    BOOST_TEST(reason_of(with_unknown(raw)) == "not valid JSON", raw);
  auto at_amount = [&](const std::string& raw) {
    auto s = g;
    auto at = s.find("129.99");
    return s.replace(at, 6, raw);
  };
  for (const std::string raw : {R"(null"x")", "1e400", "12-3", "0129", "1.2.3"})
    BOOST_TEST(reason_of(at_amount(raw)) == "not valid JSON", raw);
  BOOST_TEST(reason_of(g + " x") == "not valid JSON");
  BOOST_TEST(reason_of(g + "}") == "not valid JSON");
  BOOST_TEST(reason_of("[1, 2") == "not valid JSON");
  BOOST_TEST(reason_of("[1, 2]") == "expected a JSON object, got array");
  BOOST_TEST(reason_of("12") == "expected a JSON object, got number");
  BOOST_TEST(reason_of("") == "not valid JSON");
  // Whitespace around the document, a byte order mark before it and
  // integers beyond 64 bits in an unknown field are all JSON.
  BOOST_TEST(accepted(" \n" + g + "\r\n "));
  BOOST_TEST(accepted("\xef\xbb\xbf" + g));
  BOOST_TEST(accepted(with_unknown("[18446744073709551616, -9223372036854775809, 1e-400]")));
}

BOOST_AUTO_TEST_CASE(numbers_are_judged_as_written_and_a_key_given_twice_counts_once_the_last) {
  auto g = good();
  auto with = [&](const std::string& field, const std::string& raw) {
    auto s = g.dump();
    s.pop_back();
    return s + ", \"" + field + "\": " + raw + "}";
  };
  BOOST_TEST(reason_of(with("user_id", "18446744073709551616")) ==
             "field 'user_id' must be a string or integer, got number");
  auto r = decode_transaction(with("user_id", "18446744073709551615"), at_now());
  BOOST_TEST(std::get<transaction>(r).user_id == "18446744073709551615");
  BOOST_TEST(reason_of(with("amount", "1e12")) == "amount 1e12 is absurd (above 1e9)");
  BOOST_TEST(reason_of(with("amount", "-0.5")) == "amount must be positive, got -0.5");
  // The last of a key given twice counts, null (absent) included, and a
  // nested object given twice counts whole, not merged.
  BOOST_TEST(reason_of(with("currency", "null")) == "missing field 'currency'");
  BOOST_TEST(
    std::get<transaction>(decode_transaction(with("currency", "\"EUR\""), at_now())).currency ==
    "EUR");
  BOOST_TEST(reason_of(with("merchant", R"({"merchant_id": "m-8", "name": "Other"})")) ==
             "missing field 'merchant.category'");
}
