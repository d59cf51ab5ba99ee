#pragma once
// The default of every setting that an actor's configuration also carries:
// one home for each value. config/settings.hpp starts from these, and so do
// the actors' config structs (actors/*.hpp), which tests build directly.

#include <cstddef>

namespace rtad::defaults {

namespace kafka {
inline constexpr int batch_max = 512;            ///< messages handed to shards per batch
inline constexpr int poll_timeout_ms = 50;       ///< how long one poll may block the source
inline constexpr int credits = 16384;            ///< transactions in flight per source
inline constexpr int credit_bytes = 64 << 20;    ///< ... or bytes of messages in flight
inline constexpr int session_timeout_ms = 10000; ///< a silent node loses its partitions after this
inline constexpr int revoke_timeout_ms =
  60000; ///< a hand-over that cannot store in this stops the node
inline constexpr int handover_timeout_ms = 120000; ///< longest wait for an old owner's profiles
inline constexpr int prefetch_kbytes = 16384;      ///< messages the consumer fetches ahead, at most
inline constexpr int repartition_batch = 4096; ///< most messages re-keyed in one Kafka transaction
} // namespace kafka

namespace input {
inline constexpr int max_future_s = 86400; ///< timestamps further ahead of the clock: quarantined
inline constexpr bool quarantine_unknown_fields = false;
} // namespace input

namespace model {
inline constexpr int global_window = 8192; ///< population rows the global model learns from
} // namespace model

namespace sink {
inline constexpr int writers = 2; ///< PostgreSQL connections writing at once
inline constexpr int batch_rows = 2000;
inline constexpr int flush_interval_ms = 0; ///< 0: a free writer writes what is there
inline constexpr int retry_max_backoff_ms = 5000;
inline constexpr bool store_all = true;   ///< every scored transaction, not only anomalies
inline constexpr int retention_days = 30; ///< older partitions of `transactions` are dropped
} // namespace sink

namespace node {
inline constexpr int passivate_after_s = 300; ///< idle profiles checkpoint and leave memory
} // namespace node

} // namespace rtad::defaults
