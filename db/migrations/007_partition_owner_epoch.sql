-- Fencing: each assignment of a partition claims it (node and owner_epoch
-- one higher, in kafka_offsets), and every sink transaction checks, with
-- the row locked, that its node still holds the claim it was given. A node
-- that lost a partition while it could not tell (stopped, cut off from the
-- broker, evicted) then writes nothing more for it when it wakes up: no
-- rows with its verdicts, no offsets. Existing rows start at epoch 0.
alter table kafka_offsets add column if not exists owner_epoch bigint not null default 0;
