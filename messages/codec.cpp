#include "messages/codec.hpp"

#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <simdjson.h>

namespace rtad {

namespace {

using json = nlohmann::json;

struct reject {
  std::string reason;
};

namespace od = simdjson::ondemand;

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

/// Why `s` cannot be stored as PostgreSQL text or is over `limit` (empty:
/// it can). Its UTF-8 is not checked again: the parser refuses a document
/// with any ill-formed string (decode says where), escaped surrogates included.
std::string text_problem(const std::string& s, const std::string& field, std::size_t limit) {
  if (auto at = s.find('\0'); at != std::string::npos)
    return "field '" + field + "' contains a NUL character (at byte " + std::to_string(at) + ")";
  if (s.size() > limit)
    return "field '" + field + "' is longer than " + std::to_string(limit) + " bytes (" +
           std::to_string(s.size()) + ")";
  return "";
}

const char* type_name(od::json_type t) {
  switch (t) {
  case od::json_type::array:
    return "array";
  case od::json_type::object:
    return "object";
  case od::json_type::number:
    return "number";
  case od::json_type::string:
    return "string";
  case od::json_type::boolean:
    return "boolean";
  case od::json_type::null:
    return "null";
  }
  return "value";
}

/// Any JSON error while reading the document: the whole message is refused,
/// as a parser that builds the document first would refuse it.
struct not_json {};

template <class T>
T ok(simdjson::simdjson_result<T> r) {
  T value;
  if (std::move(r).get(value) != simdjson::SUCCESS)
    throw not_json{};
  return value;
}

/// A scalar as written, without the whitespace after it.
std::string_view token_of(od::value& v) {
  std::string_view token = v.raw_json_token();
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\r' ||
                            token.back() == '\n'))
    token.remove_suffix(1);
  return token;
}

/// A number as a double, as JSON means it: integers beyond 64 bits too (a
/// parser that builds the document reads them as doubles); a number no
/// double can hold (1e400) is not JSON it accepts.
double number_of(od::value& v) {
  double d = 0;
  if (v.get_double().get(d) == simdjson::SUCCESS)
    return d;
  // JSON's integer grammar, -?(0|[1-9][0-9]*), and nothing after it.
  auto token = token_of(v);
  auto digits = token.substr(!token.empty() && token[0] == '-' ? 1 : 0);
  if (digits.empty() || digits[0] == '0' ||
      digits.find_first_not_of("0123456789") != std::string_view::npos)
    throw not_json{};
  return std::strtod(std::string(token).c_str(), nullptr);
}

/// A null value is absent; `null` must be exactly that.
bool is_null(od::value& v, od::json_type type) {
  if (type != od::json_type::null)
    return false;
  if (!ok(v.is_null()))
    throw not_json{};
  return true;
}

/// Reads a value the decoder does not keep (an unknown field, a field of the
/// wrong type) to its end, so that its JSON is checked like the rest. Below
/// 32 levels a value is left to the parser's skip, which checks its brackets
/// without a call per level (a million-deep unknown field is harmless).
void check_json(od::value v, int depth = 0) {
  if (depth > 32)
    return;
  switch (ok(v.type())) {
  case od::json_type::object:
    for (auto f : ok(v.get_object())) {
      auto field = ok(std::move(f));
      ok(field.unescaped_key());
      check_json(field.value(), depth + 1);
    }
    break;
  case od::json_type::array:
    for (auto e : ok(v.get_array()))
      check_json(ok(std::move(e)), depth + 1);
    break;
  case od::json_type::number:
    number_of(v);
    break;
  case od::json_type::string:
    ok(v.get_string());
    break;
  case od::json_type::boolean:
    ok(v.get_bool());
    break;
  case od::json_type::null:
    is_null(v, od::json_type::null);
    break;
  }
}

/// One field of the format as read: absent (or null), or present with its
/// value or what is wrong with it. Reasons are given in the format's order
/// once the whole document has been read, whatever order the fields came in.
struct slot {
  bool present = false;
  std::string error;
};

/// Starts reading a field: a key given twice counts once, the last, and
/// null is absent. Returns the value's type.
od::json_type begin(od::value& v, slot& s) {
  auto type = ok(v.type());
  s = slot{};
  s.present = !is_null(v, type);
  return type;
}

/// The value is not of the type its field must have (`must_be`: "a number",
/// "an object", ...): read past it, and say so.
void wrong_type(od::value& v, slot& s, const std::string& name, const std::string& must_be,
                od::json_type type) {
  check_json(v);
  s.error = "field '" + name + "' must be " + must_be + ", got " + type_name(type);
}

/// True when the field is present with the `expected` type.
bool open(od::value& v, slot& s, od::json_type expected, const std::string& name,
          const char* must_be) {
  auto type = begin(v, s);
  if (!s.present || type == expected)
    return s.present;
  wrong_type(v, s, name, must_be, type);
  return false;
}

/// The text of a string field (or an integer's digits where allowed);
/// problems go to `s.error`.
void read_text(od::value v, const std::string& name, slot& s, std::string& out,
               bool allow_number = false, std::size_t limit = max_text_bytes) {
  auto type = begin(v, s);
  if (!s.present)
    return;
  if (type == od::json_type::string) {
    out.assign(ok(v.get_string()));
    s.error = out.empty() ? "field '" + name + "' is empty" : text_problem(out, name, limit);
    return;
  }
  if (allow_number && type == od::json_type::number) {
    // An integer id as its digits; beyond 64 bits it is a double, not an id.
    std::int64_t i = 0;
    std::uint64_t u = 0;
    if (v.get_int64().get(i) == simdjson::SUCCESS) {
      out = std::to_string(i);
      return;
    }
    if (v.get_uint64().get(u) == simdjson::SUCCESS) {
      out = std::to_string(u);
      return;
    }
  }
  wrong_type(v, s, name, allow_number ? "a string or integer" : "a string", type);
}

/// A number field's value and how it was written (for reasons).
void read_number(od::value v, const std::string& name, const char* expected, slot& s, double& out,
                 std::string& written) {
  if (!open(v, s, od::json_type::number, name, expected))
    return;
  written.assign(token_of(v));
  out = number_of(v);
}

/// Unknown fields: refused (the first one named), or counted.
void unknown_field(std::string_view key, const std::string& where, const decode_options& options,
                   std::string& refused, std::uint64_t& count) {
  if (options.refuse_unknown_fields && refused.empty())
    refused = "unknown field '" + where + shown(key) + "' (input.unknown_fields = quarantine)";
  ++count;
}

/// The nested objects (merchant, device_info): their fields by name.
template <std::size_t N>
void read_object(od::value v, const char* name, slot& s, const std::array<const char*, N>& names,
                 std::array<slot, N>& slots, std::array<std::string*, N> out,
                 const std::array<bool, N>& ids, const decode_options& options,
                 std::string& refused, std::uint64_t& unknown) {
  if (!open(v, s, od::json_type::object, name, "an object"))
    return;
  const std::string where = std::string(name) + ".";
  slots = {}; // the object given twice: the last one counts, whole
  for (auto f : ok(v.get_object())) {
    auto field = ok(std::move(f));
    auto key = ok(field.unescaped_key());
    od::value value = field.value();
    std::size_t k = 0;
    while (k < N && key != names[k])
      ++k;
    if (k == N) {
      unknown_field(key, where, options, refused, unknown);
      check_json(value);
      continue;
    }
    read_text(value, where + names[k], slots[k], *out[k], ids[k],
              ids[k] ? max_id_bytes : max_text_bytes);
  }
}

/// Throws the reason of `s`, if any; `missing` says whether absence is one.
void check(const slot& s, const std::string& name, bool missing = true) {
  if (!s.present) {
    if (missing)
      throw reject{"missing field '" + name + "'"};
    return;
  }
  if (!s.error.empty())
    throw reject{s.error};
}

/// Nothing may follow the document but whitespace.
void must_end(od::document& doc) {
  if (!doc.current_location().error())
    throw not_json{};
}

/// A padded copy of the message (simdjson reads a few bytes past the end),
/// and a parser reused for every message decoded on this thread.
struct scratch {
  od::parser parser;
  std::string padded;
};

transaction decode(std::string_view bytes, const decode_options& options) {
  static thread_local scratch local;
  const auto message = bytes;
  // A byte order mark before the document is allowed (RFC 8259 lets a
  // parser ignore it; Windows tools write one).
  if (bytes.substr(0, 3) == "\xef\xbb\xbf")
    bytes.remove_prefix(3);
  local.padded.assign(bytes.data(), bytes.size());
  local.padded.resize(bytes.size() + simdjson::SIMDJSON_PADDING, ' ');
  transaction t;
  enum field_slot {
    f_transaction_id,
    f_user_id,
    f_amount,
    f_currency,
    f_location,
    f_timestamp,
    f_transaction_type,
    f_merchant,
    f_payment_method,
    f_device_info,
    f_anomalous,
    f_fraud_type,
    f_count
  };
  std::array<slot, f_count> slots;
  std::array<slot, 3> merchant;
  std::array<slot, 2> device;
  std::string refused_top, refused_merchant, refused_device;
  std::uint64_t unknown = 0;
  double amount = 0, seconds = 0;
  std::string amount_written, seconds_written;
  try {
    auto doc = ok(local.parser.iterate(local.padded.data(), bytes.size(), local.padded.size()));
    auto root_type = ok(doc.type());
    if (root_type != od::json_type::object) {
      // Read to its end first: what is not JSON is refused as such.
      switch (root_type) {
      case od::json_type::array:
        check_json(ok(doc.get_value()));
        break;
      case od::json_type::number:
        ok(doc.get_number());
        break;
      case od::json_type::string:
        ok(doc.get_string());
        break;
      case od::json_type::boolean:
        ok(doc.get_bool());
        break;
      default:
        if (!ok(doc.is_null()))
          throw not_json{};
        break;
      }
      must_end(doc);
      throw reject{std::string("expected a JSON object, got ") + type_name(root_type)};
    }
    for (auto f : ok(doc.get_object())) {
      auto field = ok(std::move(f));
      auto key = ok(field.unescaped_key());
      od::value value = field.value();
      if (key == "transaction_id")
        read_text(value, "transaction_id", slots[f_transaction_id], t.transaction_id, true,
                  max_id_bytes);
      else if (key == "user_id")
        read_text(value, "user_id", slots[f_user_id], t.user_id, true, max_id_bytes);
      else if (key == "amount")
        read_number(value, "amount", "a number", slots[f_amount], amount, amount_written);
      else if (key == "currency")
        read_text(value, "currency", slots[f_currency], t.currency);
      else if (key == "location")
        read_text(value, "location", slots[f_location], t.location);
      else if (key == "timestamp")
        read_number(value, "timestamp", "epoch seconds", slots[f_timestamp], seconds,
                    seconds_written);
      else if (key == "transaction_type")
        read_text(value, "transaction_type", slots[f_transaction_type], t.transaction_type);
      else if (key == "payment_method")
        read_text(value, "payment_method", slots[f_payment_method], t.payment_method);
      else if (key == "merchant")
        read_object<3>(value, "merchant", slots[f_merchant], {"merchant_id", "name", "category"},
                       merchant, {&t.merchant_id, &t.merchant_name, &t.merchant_category},
                       {true, false, false}, options, refused_merchant, unknown);
      else if (key == "device_info")
        read_object<2>(value, "device_info", slots[f_device_info], {"type", "ip_address"}, device,
                       {&t.device_type, &t.ip_address}, {false, false}, options, refused_device,
                       unknown);
      else if (key == "_anomalous") {
        if (open(value, slots[f_anomalous], od::json_type::boolean, "_anomalous", "a boolean"))
          t.anomalous = ok(value.get_bool()) ? 1 : 0;
      } else if (key == "fraud_type") {
        // A label, not a stored field of the format: empty is no label.
        auto& s = slots[f_fraud_type];
        auto type = begin(value, s);
        if (type == od::json_type::string) {
          t.fraud_type.assign(ok(value.get_string()));
          s.error = text_problem(t.fraud_type, "fraud_type", max_text_bytes);
        } else if (s.present) {
          check_json(value);
          s.error = "field 'fraud_type' must be a string";
        }
      } else {
        unknown_field(key, "", options, refused_top, unknown);
        check_json(value);
      }
    }
    must_end(doc);
  } catch (const not_json&) {
    // The parser refuses invalid UTF-8 in strings; say so rather than leave a guess.
    if (auto at = invalid_utf8_at(message); at != std::string_view::npos)
      throw reject{"not valid JSON: not UTF-8 at byte " + std::to_string(at)};
    throw reject{"not valid JSON"};
  }
  // Reasons in the format's order.
  if (!refused_top.empty())
    throw reject{refused_top};
  check(slots[f_transaction_id], "transaction_id");
  check(slots[f_user_id], "user_id");
  check(slots[f_amount], "amount");
  t.amount = amount;
  if (!std::isfinite(t.amount) || t.amount <= 0)
    throw reject{"amount must be positive, got " + shown(amount_written)};
  if (t.amount > max_amount)
    throw reject{"amount " + shown(amount_written) + " is absurd (above 1e9)"};
  check(slots[f_currency], "currency");
  check(slots[f_location], "location");
  check(slots[f_timestamp], "timestamp");
  if (!(seconds >= min_timestamp && seconds < max_timestamp))
    throw reject{"timestamp " + shown(seconds_written) + " is outside 2000-2100"};
  t.timestamp = static_cast<std::int64_t>(seconds);
  // Only the future is refused: replays of old traffic are legitimate, while a
  // timestamp far ahead is a broken producer (and would ask for its day's
  // partition). Old ones stay bounded by min_timestamp.
  if (options.now > 0 && t.timestamp > options.now + options.max_future_s)
    throw reject{
      "timestamp " + shown(seconds_written) + " is " + std::to_string(t.timestamp - options.now) +
      " s ahead of the node's clock (input.max_future_s = " + std::to_string(options.max_future_s) +
      ")"};
  check(slots[f_transaction_type], "transaction_type");
  check(slots[f_merchant], "merchant");
  check(merchant[0], "merchant.merchant_id");
  check(merchant[1], "merchant.name");
  check(merchant[2], "merchant.category");
  if (!refused_merchant.empty())
    throw reject{refused_merchant};
  check(slots[f_payment_method], "payment_method");
  check(slots[f_device_info], "device_info");
  check(device[0], "device_info.type");
  check(device[1], "device_info.ip_address");
  if (!refused_device.empty())
    throw reject{refused_device};
  check(slots[f_anomalous], "_anomalous", false);
  check(slots[f_fraud_type], "fraud_type", false);
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
          {{"merchant_id", t.merchant_id},
           {"name", t.merchant_name},
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
