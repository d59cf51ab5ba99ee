#pragma once
// The protocol of rtad: every typed actor interface of a node, in the order
// a transaction meets them. Read this file to know who says what to whom.

#include "messages/atoms.hpp"
#include "messages/results.hpp"
#include "messages/snapshot.hpp"
#include "messages/transaction.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rtad {

/// One user's detector: scores, explains, learns; lives while the user is active.
using profile_actor = caf::typed_actor<
  /// Scores these transactions (one user, Kafka order) with this global forest.
  caf::reacts_to<std::vector<transaction>, global_snapshot>,
  /// Writes a checkpoint and answers once it is committed; quits after if asked.
  caf::replies_to<checkpoint_atom, bool>::with<bool>,
  /// Quits without a checkpoint: what it knows is in PostgreSQL already
  /// (its last checkpoint and the stored rows after it) or is out of date.
  caf::reacts_to<discard_atom>,
  /// Analyst feedback on one of this user's flagged transactions; true if applied.
  caf::replies_to<label_atom, label>::with<bool>,
  /// What an operator sees of this profile.
  caf::replies_to<profile_atom>::with<profile_info>,
  /// Rebuilds every tree from the current window.
  caf::replies_to<retrain_atom>::with<bool>,
  /// Stops (true) or resumes learning.
  caf::replies_to<freeze_atom, bool>::with<bool>,
  /// Fixes this user's threshold; NaN makes it adaptive again.
  caf::replies_to<threshold_atom, double>::with<bool>,
  /// A new global floor under every threshold.
  caf::reacts_to<floor_atom, double>>;

/// Owns the profiles of hash(user) % shards: spawns, restores, passivates.
using shard_actor = caf::typed_actor<
  /// Transactions of this shard's users (standard mode: scored here directly).
  caf::reacts_to<std::vector<transaction>>,
  /// The global forest of a closed epoch: transactions that waited for it go on.
  caf::reacts_to<global_snapshot>,
  /// Checkpoints and passivates the profiles of these partitions (all if the
  /// flag is set); answers how many once every checkpoint is committed.
  caf::replies_to<release_atom, std::vector<std::int32_t>, bool>::with<std::uint64_t>,
  /// Drops the profiles of these partitions without a checkpoint; answers how many.
  caf::replies_to<discard_atom, std::vector<std::int32_t>>::with<std::uint64_t>,
  /// Analyst feedback for a user of this shard; true if an active profile took it.
  caf::replies_to<label_atom, label>::with<bool>,
  /// Operator requests about one user, forwarded to its profile (brought
  /// into memory if needed).
  caf::replies_to<profile_atom, std::string>::with<profile_info>,
  caf::replies_to<retrain_atom, std::string>::with<bool>,
  caf::replies_to<freeze_atom, std::string, bool>::with<bool>,
  caf::replies_to<threshold_atom, std::string, double>::with<bool>,
  /// A new global floor under every threshold of this shard.
  caf::reacts_to<floor_atom, double>,
  /// Timer: passivate idle profiles and keep to the memory budget.
  caf::reacts_to<tick_atom>,
  /// Liveness: answered from the mailbox, so a wedged actor does not answer.
  caf::replies_to<ping_atom>::with<ping_atom>>;

/// The node's population forest: learns from stored rows epoch by epoch
/// (models/epoch_model.hpp), publishes each closed epoch's snapshot to the shards.
using global_model_actor = caf::typed_actor<
  /// Rows the sink committed and its watermarks: epochs close.
  caf::reacts_to<stored_rows>,
  /// The partitions the node reads now (from the source, at each rebalance).
  caf::reacts_to<assign_atom, std::vector<std::int32_t>>,
  /// A partition is read from this offset on (its first message since assigned).
  caf::reacts_to<start_atom, std::int32_t, std::int64_t>,
  /// A partition has nothing beyond this offset for now.
  caf::reacts_to<idle_atom, std::int32_t, std::int64_t>,
  /// A partition's message at this offset begins this epoch (partition, epoch, offset).
  caf::reacts_to<enter_atom, std::int32_t, std::int64_t, std::int64_t>,
  /// A shard that wants every new snapshot.
  caf::reacts_to<subscribe_atom, shard_actor>,
  /// The current snapshot.
  caf::replies_to<status_atom>::with<global_snapshot>,
  /// Writes a checkpoint through the sink; answers once it is committed.
  caf::replies_to<checkpoint_atom>::with<bool>, caf::replies_to<ping_atom>::with<ping_atom>>;

/// Stores results, quarantined messages, checkpoints and applied labels in
/// PostgreSQL in batches, and commits Kafka offsets in the same transaction.
using sink_actor = caf::typed_actor<
  /// Offsets a source handed on, per partition in order; answers their count
  /// once every one of them is stored (the source's credit comes back).
  caf::replies_to<announce_atom, std::vector<offset_batch>>::with<std::uint64_t>,
  /// Results of scoring.
  caf::reacts_to<std::vector<scored_transaction>>,
  /// A message that could not be accepted.
  caf::reacts_to<quarantine_entry>,
  /// Writes a profile checkpoint; answers once it is committed.
  caf::replies_to<checkpoint_atom, profile_checkpoint>::with<bool>,
  /// Writes the global model's checkpoint; answers once it is committed.
  caf::replies_to<checkpoint_atom, global_checkpoint>::with<bool>,
  /// Labels applied by a profile (ids), marked so nobody applies them again.
  caf::reacts_to<label_atom, std::vector<std::int64_t>>,
  /// Answers once every announced offset of these partitions is committed.
  caf::replies_to<drain_atom, std::vector<std::int32_t>>::with<bool>,
  /// Where feature rows of normal transactions go.
  caf::reacts_to<subscribe_atom, global_model_actor>,
  /// Timer: write what is buffered (also retries while PostgreSQL is away).
  caf::reacts_to<flush_atom>, caf::replies_to<ping_atom>::with<ping_atom>>;

/// A batch the sink hands to a writer (actors/detail/pg_writer.hpp). It points into
/// rows the sink keeps untouched until the writer answers; the pointer keeps
/// them alive.
struct write_batch;
using batch_ref = std::shared_ptr<const write_batch>;

/// A writer's answer: empty `error` once committed.
struct write_outcome {
  std::string error;
  std::uint64_t micros = 0;  ///< time spent writing
  std::uint64_t refused = 0; ///< rows PostgreSQL refused for good, quarantined instead
  std::uint64_t fenced = 0;  ///< rows and messages of partitions another node claimed since
};

} // namespace rtad

// Both stay inside one process (the sink and its writers): never serialized.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rtad::batch_ref)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(rtad::write_outcome)

namespace rtad {

/// One PostgreSQL connection of the sink: writes the batches it is given,
/// one at a time, each in one transaction. The sink keeps each partition on
/// one writer, so a partition's batches commit in order.
using sink_writer_actor = caf::typed_actor<caf::replies_to<batch_ref>::with<write_outcome>>;

/// Reads checkpoints, stored transactions after them and unapplied labels,
/// batching many users into one query.
using profile_store_actor = caf::typed_actor<
  /// Everything a profile needs to come back to life.
  caf::replies_to<load_atom, std::string>::with<profile_restore>,
  /// Timer: run the batched query.
  caf::reacts_to<flush_atom>, caf::replies_to<ping_atom>::with<ping_atom>>;

/// Consumes the topic in the node's consumer group and feeds the shards,
/// holding back when its credit of in-flight transactions is used up.
using source_actor = caf::typed_actor<
  /// Keeps polling (sent to itself).
  caf::reacts_to<poll_atom>,
  /// Leaves the group: drains, checkpoints, then answers and quits.
  caf::replies_to<stop_atom>::with<done_atom>, caf::replies_to<ping_atom>::with<ping_atom>>;

/// Listens for analyst labels (PostgreSQL LISTEN rtad_labels) and hands each
/// to the shard of its user.
using feedback_listener_actor = caf::typed_actor<
  /// Keeps listening (sent to itself).
  caf::reacts_to<poll_atom>,
  /// Stops listening; answers, then quits.
  caf::replies_to<stop_atom>::with<done_atom>>;

/// Pings the node's essential actors and records when each last answered
/// (node_metrics::silences): /healthz turns 503 when one stays silent.
using liveness_actor = caf::typed_actor<
  /// Timer: ping every actor that answered the last ping.
  caf::reacts_to<tick_atom>>;

/// Writes this node's row of node_status from its metrics, periodically.
using status_reporter_actor = caf::typed_actor<
  /// Timer: write the row.
  caf::reacts_to<tick_atom>,
  /// Writes the final state ('stopped'); answers, then quits.
  caf::replies_to<stop_atom>::with<done_atom>>;

/// Publishes what PostgreSQL queued in an outbox (stored anomalies, quarantined
/// messages) to its topic.
using outbox_publisher_actor = caf::typed_actor<
  /// Timer: publish what is queued.
  caf::reacts_to<tick_atom>,
  /// Stops after the round under way; answers, then quits.
  caf::replies_to<stop_atom>::with<done_atom>>;

/// The operator's door of a node, published with the middleman on
/// node.admin_host:admin_port. Every request but the version carries the
/// shared secret (node.admin_secret); a node without one refuses them all.
using admin_actor = caf::typed_actor<
  /// The protocol version; a client refuses a node that answers another.
  caf::replies_to<version_atom>::with<std::string>,
  /// This node's figures.
  caf::replies_to<status_atom, std::string>::with<node_info>,
  /// One user's profile on this node.
  caf::replies_to<profile_atom, std::string, std::string>::with<profile_info>,
  /// Rebuilds a user's forest now.
  caf::replies_to<retrain_atom, std::string, std::string>::with<bool>,
  /// Stops (true) or resumes learning from a user under investigation.
  caf::replies_to<freeze_atom, std::string, std::string, bool>::with<bool>,
  /// Fixes a user's threshold (empty user: the node's floor); NaN: adaptive again.
  caf::replies_to<threshold_atom, std::string, std::string, double>::with<bool>,
  /// Hands this node's partitions to the other nodes of the group (node
  /// state 'draining': every row committed, every profile checkpointed),
  /// then exits 0.
  caf::replies_to<drain_atom, std::string>::with<bool>,
  /// Leaves the group cleanly (partitions move to the other nodes) and exits.
  caf::replies_to<stop_atom, std::string>::with<bool>,
  /// Cluster membership, for the registries of other nodes: a node joins
  /// (answer: every member this node knows), beats (with the members it
  /// knows; answer the same), and leaves. Join and beat carry the sender's
  /// own admin actor, so one connection serves a pair of members both ways.
  caf::replies_to<join_atom, std::string, member_info, caf::actor>::with<std::vector<member_info>>,
  caf::replies_to<heartbeat_atom, std::string, member_info, caf::actor,
                  std::vector<member_info>>::with<std::vector<member_info>>,
  caf::reacts_to<leave_atom, std::string, member_info>,
  /// The members this node's registry knows, and how it sees them.
  caf::replies_to<members_atom, std::string>::with<std::vector<member_view>>>;

/// Version of the admin protocol; bump it when admin_actor changes.
inline constexpr const char* admin_protocol_version = "rtad-admin/3";

/// Cluster membership on one node (`rtad node --join HOST:PORT`): connects to
/// the seeds and to every member it learns of through its admin actor, beats
/// to each every few seconds, forgets a member whose connection dropped and
/// who stays silent past the timeout, and says goodbye when the node stops.
using registry_actor = caf::typed_actor<
  /// The node's own admin actor, which members reach it through; the
  /// registry joins its seeds once it has it.
  caf::reacts_to<admin_actor>,
  /// From the admin actor: the requests of admin_actor above, secret checked.
  caf::replies_to<join_atom, member_info, caf::actor>::with<std::vector<member_info>>,
  caf::replies_to<heartbeat_atom, member_info, caf::actor,
                  std::vector<member_info>>::with<std::vector<member_info>>,
  caf::reacts_to<leave_atom, member_info>,
  caf::replies_to<members_atom>::with<std::vector<member_view>>,
  /// Timer: beat, retry connections, drop silent members.
  caf::reacts_to<tick_atom>,
  /// The node stops: tell every member, then answer.
  caf::replies_to<stop_atom>::with<done_atom>>;

} // namespace rtad
