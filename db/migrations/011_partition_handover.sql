-- Hand-over of a partition's profiles when only anomalies are stored
-- (sink.store_all = false: no rows a new owner could catch its users up
-- from). A node whose partition is revoked marks it (handover_from, with
-- the claim it held) instead of checkpointing every profile while the
-- consumer group waits; after the rebalance it checkpoints them, and its
-- sink may write those checkpoints under the new owner's claim as long as
-- the mark stands. The new owner leaves the partition unread until the
-- mark is gone (the old owner clears it when done), or clears it itself
-- after kafka.handover_timeout_ms: from then on the old owner's late
-- checkpoints are fenced like anything else.
alter table kafka_offsets add column if not exists handover_from text;
alter table kafka_offsets add column if not exists handover_epoch bigint;
