#pragma once

#include <cstdint>
#include <string>

namespace rtad {

/// One payment transaction, as the wire format carries it, plus where it came
/// from in Kafka. Ground truth is kept for evaluation only.
struct transaction {
  std::string transaction_id;
  std::string user_id;
  double amount = 0;
  std::string currency;
  std::string location;       ///< ISO country code
  std::int64_t timestamp = 0; ///< epoch seconds
  std::string transaction_type;
  std::string merchant_id;
  std::string merchant_name;
  std::string merchant_category;
  std::string payment_method;
  std::string device_type;
  std::string ip_address;
  std::int8_t anomalous = -1;  ///< ground truth: -1 unknown, 0 normal, 1 fraud; never used to score
  std::string fraud_type;      ///< ground truth detail from `rtad produce`
  std::int32_t partition = -1; ///< Kafka origin, -1 when not from Kafka
  std::int64_t offset = -1;
  std::int64_t epoch = 0; ///< its partition's epoch, from the source (models/epoch_model.hpp)
  std::int64_t kafka_time_ms = 0; ///< the Kafka message's timestamp, 0 when unknown
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, transaction& x) {
  return f(x.transaction_id, x.user_id, x.amount, x.currency, x.location, x.timestamp,
           x.transaction_type, x.merchant_id, x.merchant_name, x.merchant_category,
           x.payment_method, x.device_type, x.ip_address, x.anomalous, x.fraud_type, x.partition,
           x.offset, x.epoch, x.kafka_time_ms);
}

} // namespace rtad
