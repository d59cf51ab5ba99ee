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

const json& field(const json& obj, const char* name, const std::string& where = "") {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null())
    throw reject{"missing field '" + where + name + "'"};
  return *it;
}

std::string text(const json& obj, const char* name, const std::string& where = "",
                 bool allow_number = false) {
  const auto& v = field(obj, name, where);
  if (v.is_string()) {
    auto s = v.get<std::string>();
    if (s.empty())
      throw reject{"field '" + where + name + "' is empty"};
    if (s.size() > 256)
      throw reject{"field '" + where + name + "' is longer than 256 bytes"};
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

transaction decode(std::string_view bytes) {
  json j = json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (j.is_discarded())
    throw reject{"not valid JSON"};
  if (!j.is_object())
    throw reject{std::string("expected a JSON object, got ") + j.type_name()};
  for (const auto& [k, _] : j.items())
    if (!known_fields().count(k))
      throw reject{"unknown field '" + k + "'"};
  transaction t;
  t.transaction_id = text(j, "transaction_id", "", true);
  t.user_id = text(j, "user_id", "", true);
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
  t.transaction_type = text(j, "transaction_type");
  const auto& merchant = object(j, "merchant");
  t.merchant_id = text(merchant, "merchant_id", "merchant.", true);
  t.merchant_name = text(merchant, "name", "merchant.");
  t.merchant_category = text(merchant, "category", "merchant.");
  t.payment_method = text(j, "payment_method");
  const auto& device = object(j, "device_info");
  t.device_type = text(device, "type", "device_info.");
  t.ip_address = text(device, "ip_address", "device_info.");
  if (auto it = j.find("_anomalous"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean())
      throw reject{std::string("field '_anomalous' must be a boolean, got ") + it->type_name()};
    t.anomalous = it->get<bool>() ? 1 : 0;
  }
  if (auto it = j.find("fraud_type"); it != j.end() && !it->is_null()) {
    if (!it->is_string())
      throw reject{"field 'fraud_type' must be a string"};
    t.fraud_type = it->get<std::string>();
  }
  return t;
}

} // namespace

std::variant<transaction, decode_error> decode_transaction(std::string_view bytes) {
  try {
    return decode(bytes);
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
