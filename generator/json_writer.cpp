#include "generator/json_writer.hpp"

#include "messages/codec.hpp"

#include <charconv>
#include <cmath>

namespace rtad::gen {

namespace {

// Below this, a cent amount has at most 15 significant digits: the JSON
// writer prints it in fixed notation and the decimal form round-trips.
constexpr double fast_path_amount_limit = 1e13;

// Appends `s` quoted. Printable ASCII needs escaping only for quote and backslash;
// anything else (control characters, UTF-8) returns false and the caller
// leaves the message to the JSON library.
bool append_string(std::string& out, const std::string& s) {
  out += '"';
  std::size_t plain_from = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c > 0x7e)
      return false;
    if (c == '"' || c == '\\') {
      out.append(s, plain_from, i - plain_from);
      out += '\\';
      plain_from = i;
    }
  }
  out.append(s, plain_from, std::string::npos);
  out += '"';
  return true;
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
  const auto start = out.size();
  std::int64_t cents = 0;
  bool plain = on_cent_grid(t.amount, cents);
  // Keys in the byte order of nlohmann::json's std::map objects.
  auto field = [&](const char* key_and_colon, const std::string& value) {
    out += key_and_colon;
    plain = plain && append_string(out, value);
  };
  if (plain) {
    out += '{';
    if (t.anomalous >= 0)
      out += t.anomalous == 1 ? "\"_anomalous\":true," : "\"_anomalous\":false,";
    out += "\"amount\":";
    append_cents(out, cents);
    field(",\"currency\":", t.currency);
    field(",\"device_info\":{\"ip_address\":", t.ip_address);
    field(",\"type\":", t.device_type);
    out += '}';
    if (!t.fraud_type.empty())
      field(",\"fraud_type\":", t.fraud_type);
    field(",\"location\":", t.location);
    field(",\"merchant\":{\"category\":", t.merchant_category);
    field(",\"merchant_id\":", t.merchant_id);
    field(",\"name\":", t.merchant_name);
    field("},\"payment_method\":", t.payment_method);
    out += ",\"timestamp\":";
    append_int(out, t.timestamp);
    field(",\"transaction_id\":", t.transaction_id);
    field(",\"transaction_type\":", t.transaction_type);
    field(",\"user_id\":", t.user_id);
    out += '}';
  }
  if (plain)
    return;
  out.resize(start);
  out += encode_transaction(t);
}

} // namespace rtad::gen
