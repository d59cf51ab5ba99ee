-- rtad schema, version 1. Applied once, in one transaction, by `rtad db init`
-- and at node start (see db/migrate.cpp); recorded in schema_migrations.

-- Flagged transactions. Table name and first columns are the original
-- system's, so its queries keep working.
create table frauds (
  transaction_id      text primary key,
  user_id             text not null,
  amount              numeric(18, 2) not null,
  currency            text not null,
  location            text not null,
  timestamp           timestamptz not null,
  transaction_type    text not null,
  merchant_id         text,
  merchant_name       text,
  merchant_category   text,
  payment_method      text,
  device_type         text,
  ip_address          text,
  is_confirmed_fraud  boolean,              -- analyst label: null until labelled
  detection_score     double precision not null,
  risk_level          text not null check (risk_level in ('low', 'medium', 'high')),
  detection_time      timestamptz not null default now(),
  detection_features  jsonb not null default '{}'::jsonb,  -- explanation: top features, values, usual ranges
  notes               text,
  model_used          text not null check (model_used in ('user', 'global', 'blend')),
  threshold           double precision not null,
  explanation         text,                  -- one readable line, e.g. "amount 4,830.00 vs usual 12-180"
  ground_truth        boolean,               -- `_anomalous` of the message; never used to score
  fraud_type          text,
  node                text,
  kafka_partition     integer,
  kafka_offset        bigint
);
create index frauds_detection_time on frauds (detection_time desc);
create index frauds_timestamp on frauds (timestamp desc);
create index frauds_user on frauds (user_id, detection_time desc);
create index frauds_risk on frauds (risk_level, detection_time desc);
create index frauds_location on frauds (location, detection_time desc);
create index frauds_category on frauds (merchant_category, detection_time desc);
create index frauds_model on frauds (model_used, detection_time desc);
create index frauds_score on frauds (detection_score desc);
create index frauds_unlabelled on frauds (detection_time desc) where is_confirmed_fraud is null;

-- Every scored transaction. Partitioned by day of the transaction's own
-- timestamp; a replayed transaction keeps its timestamp, so the primary key
-- (timestamp, transaction_id) still catches the duplicate.
create table transactions (
  transaction_id      text not null,
  timestamp           timestamptz not null,
  user_id             text not null,
  amount              numeric(18, 2) not null,
  currency            text not null,
  location            text not null,
  transaction_type    text not null,
  merchant_id         text,
  merchant_name       text,
  merchant_category   text,
  payment_method      text,
  device_type         text,
  ip_address          text,
  score               double precision not null,
  threshold           double precision not null,
  is_anomaly          boolean not null,
  model_used          text not null,
  ground_truth        boolean,
  fraud_type          text,
  node                text,
  kafka_partition     integer,
  kafka_offset        bigint,
  scored_at           timestamptz not null default now(),
  primary key (timestamp, transaction_id)
) partition by range (timestamp);
create index transactions_user on transactions (user_id, timestamp desc);
create index transactions_scored_at on transactions (scored_at desc);

-- Creates the daily (UTC) partitions that hold [from_day, to_day]; idempotent.
create function rtad_ensure_partitions(from_day date, to_day date) returns void
language plpgsql as $$
declare
  d date := from_day;
  name text;
begin
  while d <= to_day loop
    name := 'transactions_' || to_char(d, 'YYYYMMDD');
    if to_regclass(name) is null then
      begin
        execute format('create table %I partition of transactions for values from (%L) to (%L)',
                       name, d::timestamp at time zone 'UTC', (d + 1)::timestamp at time zone 'UTC');
      exception when duplicate_table then
        null; -- another node created it meanwhile
      end;
    end if;
    d := d + 1;
  end loop;
end $$;

-- Drops partitions whose whole day is more than keep_days older than the
-- newest partition; returns how many. Relative to the newest data rather than
-- to today, so replaying a historical stream does not delete what it writes.
create function rtad_drop_old_partitions(keep_days integer) returns integer
language plpgsql as $$
declare
  r record;
  newest date;
  dropped integer := 0;
begin
  select max(to_date(substr(c.relname, 14), 'YYYYMMDD')) into newest
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    join pg_class p on p.oid = i.inhparent
   where p.relname = 'transactions' and c.relname ~ '^transactions_[0-9]{8}$';
  if newest is null then
    return 0;
  end if;
  for r in select c.relname from pg_inherits i
             join pg_class c on c.oid = i.inhrelid
             join pg_class p on p.oid = i.inhparent
            where p.relname = 'transactions'
              and c.relname ~ '^transactions_[0-9]{8}$'
              and to_date(substr(c.relname, 14), 'YYYYMMDD') < newest - keep_days loop
    execute format('drop table %I', r.relname);
    dropped := dropped + 1;
  end loop;
  return dropped;
end $$;

-- Per-user model state: a summary for people, a checkpoint for nodes.
create table user_profiles (
  user_id             text primary key,
  node                text,
  model_version       bigint not null default 0,   -- counts refits, across nodes
  history_size        integer not null default 0,
  trees               integer not null default 0,
  threshold           double precision,
  frozen              boolean not null default false,
  last_retrain        timestamptz,
  last_transaction_at timestamptz,                 -- newest transaction learned from
  learned_partition   integer,                     -- Kafka position of that transaction: a restored
  learned_offset      bigint,                      -- profile replays stored rows after it
  summary             jsonb not null default '{}'::jsonb,  -- usual countries, categories, amount range, hours
  checkpoint          bytea,                       -- models/ binary state, versioned and checksummed
  updated_at          timestamptz not null default now()
);
create index user_profiles_updated on user_profiles (updated_at desc);

-- The population forest of each detection mode, so a restarted node does not
-- start blind. Written by the node that refits it; read at start.
create table global_models (
  mode                text primary key check (mode in ('standard', 'enhanced')),
  node                text,
  version             bigint not null,
  rows_seen           bigint not null default 0,
  checkpoint          bytea not null,
  updated_at          timestamptz not null default now()
);

-- Consumed Kafka offsets, written in the same transaction as the rows.
-- next_offset is the watermark: every message below it is stored.
create table kafka_offsets (
  consumer_group      text not null,
  topic               text not null,
  kafka_partition     integer not null,
  next_offset         bigint not null,
  node                text,
  updated_at          timestamptz not null default now(),
  primary key (consumer_group, topic, kafka_partition)
);

-- Messages that could not be accepted, with their bytes and the reason.
create table quarantine (
  id                  bigserial primary key,
  received_at         timestamptz not null default now(),
  topic               text not null,
  kafka_partition     integer not null,
  kafka_offset        bigint not null,
  message_key         bytea,
  raw                 bytea not null,
  reason              text not null,
  node                text,
  unique (topic, kafka_partition, kafka_offset)
);

-- One row per node, refreshed by its status reporter.
create table node_status (
  node                text primary key,
  host                text,
  pid                 integer,
  mode                text,
  state               text not null default 'running' check (state in ('starting', 'running', 'draining', 'stopped')),
  started_at          timestamptz not null default now(),
  heartbeat_at        timestamptz not null default now(),
  admin_endpoint      text,
  partitions          integer[] not null default '{}',
  active_profiles     integer not null default 0,
  memory_bytes        bigint not null default 0,
  transactions_total  bigint not null default 0,
  anomalies_total     bigint not null default 0,
  quarantined_total   bigint not null default 0,
  transactions_per_s  double precision not null default 0,
  consumer_lag        bigint not null default 0,
  rebalances          integer not null default 0,
  last_rebalance_at   timestamptz,
  last_rebalance_ms   integer,
  last_rebalance_users integer,
  metrics             jsonb not null default '{}'::jsonb
);

-- Analyst feedback. The newest label of a transaction wins.
create table labels (
  id                  bigserial primary key,
  transaction_id      text not null,
  user_id             text not null,
  label               text not null check (label in ('confirmed_fraud', 'false_positive')),
  note                text,
  analyst             text,
  created_at          timestamptz not null default now(),
  applied_at          timestamptz,   -- when the owning profile actor took it in
  applied_by          text           -- node that applied it
);
create index labels_transaction on labels (transaction_id, created_at desc);
create index labels_unapplied on labels (created_at) where applied_at is null;

-- A label shows in frauds at once and reaches the nodes through LISTEN rtad_labels.
create function rtad_label_applied() returns trigger language plpgsql as $$
begin
  update frauds
     set is_confirmed_fraud = (new.label = 'confirmed_fraud'),
         notes = coalesce(new.note, notes)
   where transaction_id = new.transaction_id;
  perform pg_notify('rtad_labels', json_build_object(
    'id', new.id, 'transaction_id', new.transaction_id, 'user_id', new.user_id,
    'label', new.label)::text);
  return new;
end $$;
create trigger labels_apply after insert on labels
  for each row execute function rtad_label_applied();

-- Every new anomaly is announced on rtad_anomalies (delivered at commit),
-- whoever inserts it: the dashboard's live feed listens here.
create function rtad_anomaly_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('rtad_anomalies', json_build_object(
    'transaction_id', new.transaction_id, 'user_id', new.user_id,
    'amount', new.amount, 'currency', new.currency, 'location', new.location,
    'merchant_category', new.merchant_category, 'detection_score', new.detection_score,
    'risk_level', new.risk_level, 'model_used', new.model_used,
    'detection_time', new.detection_time)::text);
  return new;
end $$;
create trigger frauds_notify after insert on frauds
  for each row execute function rtad_anomaly_notify();
