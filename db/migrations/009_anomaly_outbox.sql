-- The anomalies topic (output.anomalies_topic) is published from what
-- PostgreSQL committed, through an outbox: the sink queues each anomaly it
-- stores here, in the same transaction as the anomaly; a node's publisher
-- takes queued anomalies, sends them, and removes them once the broker has
-- acknowledged them. A crash in between sends them again (at least once;
-- the transaction id tells a consumer it has seen one). A separate table
-- rather than a flag on frauds: publishing touches neither frauds' indexes
-- nor its summary triggers, and never waits for an analyst's label.
-- No foreign key: `rtad db reset` empties frauds alone, and the publisher
-- drops entries whose anomaly is gone.
create table anomaly_outbox (
  transaction_id      text primary key,
  queued_at           timestamptz not null default now()
);
create index anomaly_outbox_queued on anomaly_outbox (queued_at);
