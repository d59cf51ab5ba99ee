#include "generator/json_writer.hpp"

#include "messages/codec.hpp"

#include <charconv>
#include <cmath>

namespace rtad::gen {

namespace {

// Below this, a cent amount has at most 15 significant digits: the JSON
// writer prints it in fixed notation and the decimal form round-trips.
constexpr double fast_path_amount_limit = 1e13;

bool plain_ascii(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e)
      return false;
  return true;
}

// Only '"' and '\\' need escaping in printable ASCII.
void append_string(std::string& out, const std::string& s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  out += '"';
}

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

bool on_cent_grid(double amount, std::int64_t& cents) {
  if (!(amount > 0 && amount < fast_path_amount_limit))
    return false;
  cents = std::llround(amount * 100);
  return static_cast<double>(cents) / 100.0 == amount;
}

} // namespace

void append_cents(std::string& out, std::int64_t cents) {
  append_int(out, cents / 100);
  const auto frac = cents % 100;
  out += '.';
  out += static_cast<char>('0' + frac / 10);
  if (frac % 10 != 0)
    out += static_cast<char>('0' + frac % 10);
}

void append_json(std::string& out, const transaction& t) {
  std::int64_t cents = 0;
  const bool fast = on_cent_grid(t.amount, cents) && plain_ascii(t.transaction_id) &&
                    plain_ascii(t.user_id) && plain_ascii(t.currency) &&
                    plain_ascii(t.location) && plain_ascii(t.transaction_type) &&
                    plain_ascii(t.merchant_id) && plain_ascii(t.merchant_name) &&
                    plain_ascii(t.merchant_category) && plain_ascii(t.payment_method) &&
                    plain_ascii(t.device_type) && plain_ascii(t.ip_address) &&
                    plain_ascii(t.fraud_type);
  if (!fast) {
    out += encode_transaction(t);
    return;
  }
  // Keys in the byte order of nlohmann::json's std::map objects.
  out += '{';
  if (t.anomalous >= 0)
    out += t.anomalous == 1 ? "\"_anomalous\":true," : "\"_anomalous\":false,";
  out += "\"amount\":";
  append_cents(out, cents);
  out += ",\"currency\":";
  append_string(out, t.currency);
  out += ",\"device_info\":{\"ip_address\":";
  append_string(out, t.ip_address);
  out += ",\"type\":";
  append_string(out, t.device_type);
  out += '}';
  if (!t.fraud_type.empty()) {
    out += ",\"fraud_type\":";
    append_string(out, t.fraud_type);
  }
  out += ",\"location\":";
  append_string(out, t.location);
  out += ",\"merchant\":{\"category\":";
  append_string(out, t.merchant_category);
  out += ",\"merchant_id\":";
  append_string(out, t.merchant_id);
  out += ",\"name\":";
  append_string(out, t.merchant_name);
  out += "},\"payment_method\":";
  append_string(out, t.payment_method);
  out += ",\"timestamp\":";
  append_int(out, t.timestamp);
  out += ",\"transaction_id\":";
  append_string(out, t.transaction_id);
  out += ",\"transaction_type\":";
  append_string(out, t.transaction_type);
  out += ",\"user_id\":";
  append_string(out, t.user_id);
  out += '}';
}

} // namespace rtad::gen
