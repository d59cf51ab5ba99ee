// libFuzzer target for the wire-format codec: every input is either parsed
// into a plausible transaction that survives a round trip, or rejected with
// a reason. Crashes, leaks and undefined behaviour are caught by the
// sanitizers the fuzz build links in (scripts/build --fuzz).
#include "messages/codec.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

void check(bool ok) {
  if (!ok)
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto result = rtad::decode_transaction(bytes);
  if (auto* error = std::get_if<rtad::decode_error>(&result)) {
    check(!error->reason.empty());
    return 0;
  }
  const auto& t = std::get<rtad::transaction>(result);
  check(!t.transaction_id.empty() && !t.user_id.empty());
  check(t.amount > 0 && t.amount <= rtad::max_amount);
  check(t.timestamp >= rtad::min_timestamp && t.timestamp < rtad::max_timestamp);
  auto again = rtad::decode_transaction(rtad::encode_transaction(t));
  const auto* u = std::get_if<rtad::transaction>(&again);
  check(u != nullptr);
  check(u->transaction_id == t.transaction_id && u->user_id == t.user_id && u->amount == t.amount &&
        u->timestamp == t.timestamp && u->location == t.location &&
        u->merchant_category == t.merchant_category && u->device_type == t.device_type &&
        u->anomalous == t.anomalous && u->fraud_type == t.fraud_type);
  return 0;
}
