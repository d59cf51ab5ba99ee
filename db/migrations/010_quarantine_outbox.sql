-- The quarantine topic (output.quarantine_topic, off by default), a
-- dead-letter topic: published from what PostgreSQL committed, through an
-- outbox as the anomalies topic is (009). The sink queues each quarantined
-- message here in the transaction that stores it, while the topic is on.
create table quarantine_outbox (
  id                  bigint primary key,       -- quarantine.id
  queued_at           timestamptz not null default now()
);
create index quarantine_outbox_queued on quarantine_outbox (queued_at);
