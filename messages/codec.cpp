#include "messages/codec.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

namespace rtad {

namespace {

using json = nlohmann::json;

struct reject {
  std::string reason;
};

const std::set<std::string>& known_fields() {
  static const std::set<std::string> k{
    "transaction_id", "user_id",          "amount",   "currency",
    "location",       "timestamp",        "merchant", "payment_method",
    "device_info",    "transaction_type", "_anomalous", "fraud_type"};
  return k;
}

const std::set<std::string>& known_merchant_fields() {
  static const std::set<std::string> k{"merchant_id", "name", "category"};
  return k;
}

const std::set<std::string>& known_device_fields() {
  static const std::set<std::string> k{"type", "ip_address"};
  return k;
}

const json& field(const json& obj, const char* name, const std::string& where = "") {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null())
    throw reject{"missing field '" + where + name + "'"};
  return *it;
}

/// Offset of the first byte that is not well-formed UTF-8 (RFC 3629: no
/// overlong forms, no surrogates, nothing above U+10FFFF), or npos.
std::size_t invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf; // range of the second byte
    if (b < 0x80) {
      ++i;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      n = 1;
    } else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      lo = b == 0xe0 ? 0xa0 : 0x80;
      hi = b == 0xed ? 0x9f : 0xbf;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      lo = b == 0xf0 ? 0x90 : 0x80;
      hi = b == 0xf4 ? 0x8f : 0xbf;
    } else {
      return i;
    }
    if (i + n >= s.size()) // cut short
      return i;
    for (std::size_t k = 1; k <= n; ++k) {
      auto c = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xbf))
        return i;
    }
    i += n + 1;
  }
  return std::string_view::npos;
}

/// `s` fit to quote in a reason, which is stored as text: bytes other than
/// printable ASCII as \xNN, at most 64 of them.
std::string shown(std::string_view s) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < 64; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 0xf];
    }
  }
  return s.size() > 64 ? out + "..." : out;
}

/// Throws unless `s` can be stored as PostgreSQL text and is within `limit`.
/// Its UTF-8 is not checked again: the parser refuses a document with any
/// ill-formed string (decode says where), escaped surrogates included.
void check_text(const std::string& s, const std::string& field, std::size_t limit) {
  if (auto at = s.find('\0'); at != std::string::npos)
    throw reject{"field '" + field + "' contains a NUL character (at byte " + std::to_string(at) +
                 ")"};
  if (s.size() > limit)
    throw reject{"field '" + field + "' is longer than " + std::to_string(limit) + " bytes (" +
                 std::to_string(s.size()) + ")"};
}

std::string text(const json& obj, const char* name, const std::string& where = "",
                 bool allow_number = false, std::size_t limit = max_text_bytes) {
  const auto& v = field(obj, name, where);
  if (v.is_string()) {
    auto s = v.get<std::string>();
    if (s.empty())
      throw reject{"field '" + where + name + "' is empty"};
    check_text(s, where + name, limit);
    return s;
  }
  if (allow_number && v.is_number_integer())
    return v.is_number_unsigned() ? std::to_string(v.get<std::uint64_t>())
                                  : std::to_string(v.get<std::int64_t>());
  throw reject{"field '" + where + name + "' must be a " +
               (allow_number ? "string or integer" : "string") + ", got " + v.type_name()};
}

const json& object(const json& obj, const char* name) {
  const auto& v = field(obj, name);
  if (!v.is_object())
    throw reject{"field '" + std::string(name) + "' must be an object, got " + v.type_name()};
  return v;
}

/// Fields of `obj` the format does not know: refused, or counted.
std::uint64_t unknown_fields(const json& obj, const std::set<std::string>& known,
                             const std::string& where, const decode_options& options) {
  std::uint64_t n = 0;
  for (const auto& [k, _] : obj.items())
    if (!known.count(k)) {
      if (options.refuse_unknown_fields)
        throw reject{"unknown field '" + where + shown(k) + "' (input.unknown_fields = quarantine)"};
      ++n;
    }
  return n;
}

transaction decode(std::string_view bytes, const decode_options& options) {
  json j = json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (j.is_discarded()) {
    // The parser refuses invalid UTF-8 in strings; say so rather than leave a guess.
    if (auto at = invalid_utf8_at(bytes); at != std::string_view::npos)
      throw reject{"not valid JSON: not UTF-8 at byte " + std::to_string(at)};
    throw reject{"not valid JSON"};
  }
  if (!j.is_object())
    throw reject{std::string("expected a JSON object, got ") + j.type_name()};
  auto unknown = unknown_fields(j, known_fields(), "", options);
  transaction t;
  t.transaction_id = text(j, "transaction_id", "", true, max_id_bytes);
  t.user_id = text(j, "user_id", "", true, max_id_bytes);
  const auto& amount = field(j, "amount");
  if (!amount.is_number())
    throw reject{std::string("field 'amount' must be a number, got ") + amount.type_name()};
  t.amount = amount.get<double>();
  if (!std::isfinite(t.amount) || t.amount <= 0)
    throw reject{"amount must be positive, got " + amount.dump()};
  if (t.amount > max_amount)
    throw reject{"amount " + amount.dump() + " is absurd (above 1e9)"};
  t.currency = text(j, "currency");
  t.location = text(j, "location");
  const auto& ts = field(j, "timestamp");
  if (!ts.is_number())
    throw reject{std::string("field 'timestamp' must be epoch seconds, got ") + ts.type_name()};
  auto seconds = ts.get<double>();
  if (!(seconds >= min_timestamp && seconds < max_timestamp))
    throw reject{"timestamp " + ts.dump() + " is outside 2000-2100"};
  t.timestamp = static_cast<std::int64_t>(seconds);
  // Only the future is refused: replays of old traffic are legitimate, while a
  // timestamp far ahead is a broken producer (and would ask for its day's
  // partition). Old ones stay bounded by min_timestamp.
  if (options.now > 0 && t.timestamp > options.now + options.max_future_s)
    throw reject{"timestamp " + ts.dump() + " is " + std::to_string(t.timestamp - options.now) +
                 " s ahead of the node's clock (input.max_future_s = " +
                 std::to_string(options.max_future_s) + ")"};
  t.transaction_type = text(j, "transaction_type");
  const auto& merchant = object(j, "merchant");
  t.merchant_id = text(merchant, "merchant_id", "merchant.", true, max_id_bytes);
  t.merchant_name = text(merchant, "name", "merchant.");
  t.merchant_category = text(merchant, "category", "merchant.");
  unknown += unknown_fields(merchant, known_merchant_fields(), "merchant.", options);
  t.payment_method = text(j, "payment_method");
  const auto& device = object(j, "device_info");
  t.device_type = text(device, "type", "device_info.");
  t.ip_address = text(device, "ip_address", "device_info.");
  unknown += unknown_fields(device, known_device_fields(), "device_info.", options);
  if (auto it = j.find("_anomalous"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean())
      throw reject{std::string("field '_anomalous' must be a boolean, got ") + it->type_name()};
    t.anomalous = it->get<bool>() ? 1 : 0;
  }
  if (auto it = j.find("fraud_type"); it != j.end() && !it->is_null()) {
    if (!it->is_string())
      throw reject{"field 'fraud_type' must be a string"};
    t.fraud_type = it->get<std::string>();
    check_text(t.fraud_type, "fraud_type", max_text_bytes);
  }
  if (options.unknown_fields)
    *options.unknown_fields += unknown;
  return t;
}

} // namespace

std::variant<transaction, decode_error> decode_transaction(std::string_view bytes,
                                                           const decode_options& options) {
  try {
    return decode(bytes, options);
  } catch (const reject& r) {
    return decode_error{r.reason};
  } catch (const std::exception& e) {
    return decode_error{std::string("cannot decode: ") + e.what()};
  }
}

std::string encode_transaction(const transaction& t) {
  json j{{"transaction_id", t.transaction_id},
         {"user_id", t.user_id},
         {"amount", t.amount},
         {"currency", t.currency},
         {"location", t.location},
         {"timestamp", t.timestamp},
         {"transaction_type", t.transaction_type},
         {"merchant",
          {{"merchant_id", t.merchant_id}, {"name", t.merchant_name},
           {"category", t.merchant_category}}},
         {"payment_method", t.payment_method},
         {"device_info", {{"type", t.device_type}, {"ip_address", t.ip_address}}}};
  if (t.anomalous >= 0)
    j["_anomalous"] = t.anomalous == 1;
  if (!t.fraud_type.empty())
    j["fraud_type"] = t.fraud_type;
  return j.dump();
}

} // namespace rtad
