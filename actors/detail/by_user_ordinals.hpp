#pragma once
// Where each message of the by-user topic stands among its partition's
// messages. The topic is written in Kafka transactions, and every commit
// marker takes an offset: where the markers fall follows where the
// repartition stage's batches ended. From a full input topic the stage
// fills every batch, but traffic that comes while it reads ends batches
// where timing puts them, and epochs counted in offsets would follow. So
// the stage numbers each partition's messages itself, in a header, and the
// scoring stage counts epochs in that number: the n-th message of a
// partition is the n-th, as in a topic a producer keyed by user (where
// offsets are that number, and as rtad_replay counts), whatever the batches.

#include <cstdint>
#include <librdkafka/rdkafkacpp.h>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rtad {

/// Header of a by-user message: its place among its partition's messages
/// (decimal text), counted from 0.
inline constexpr const char* ordinal_header = "rtad-ordinal";

/// Header of a by-user message whose batch ended what the input topic had
/// when the stage wrote it: the end of a by-user partition after it is an
/// end (a caught-up stage, or live traffic), not a pause between batches.
inline constexpr const char* caught_up_header = "rtad-caught-up";

/// Whether `msg` has caught_up_header.
bool caught_up(const RdKafka::Message& msg);

/// The partition Kafka's default partitioner (murmur2, as librdkafka's
/// murmur2_random and the Java client) gives a message keyed by `key`.
std::int32_t kafka_partition(std::string_view key, std::int32_t partitions);

/// The ordinal header of `msg`, when it has a well-formed one.
std::optional<std::int64_t> ordinal_of(const RdKafka::Message& msg);

/// The ordinal the next message of each of `partitions` partitions of
/// `topic` gets: one past its last committed message's (read back from the
/// partition's end; a message written before ordinals counts by its
/// offset). Call it once the producer's init_transactions fenced whatever
/// the previous writer left open. Throws std::runtime_error when the broker
/// does not answer within `timeout_ms`.
std::vector<std::int64_t> next_ordinals(const std::string& bootstrap,
                                        const std::map<std::string, std::string>& properties,
                                        const std::string& topic, std::int32_t partitions,
                                        int timeout_ms);

} // namespace rtad
