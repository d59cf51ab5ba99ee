-- Hourly counts of frauds, kept by triggers, so the dashboard's Overview reads
-- at most 24 rows per key and day instead of every anomaly of its window
-- (a 30-day window over a million rows took ~1.5 s; see frontend/README.md).
-- Exact, not sampled: every insert, update, delete and truncate of frauds
-- changes this table in the same transaction. A window that starts inside an
-- hour reads that hour's part from frauds itself.

-- Start of the UTC hour of t, independent of the session's time zone
-- (date_trunc would follow it, and some zones are offset by half an hour).
create function rtad_hour(t timestamptz) returns timestamptz
language sql immutable parallel safe as $$
  select date_bin('1 hour', t, timestamptz '2000-01-01 00:00:00+00')
$$;

create table frauds_hourly (
  hour                timestamptz not null,   -- rtad_hour(detection_time)
  risk_level          text not null,
  model_used          text not null,
  currency            text not null,
  location            text not null,
  n                   bigint not null,
  unlabelled          bigint not null,        -- is_confirmed_fraud is null
  confirmed           bigint not null,        -- is_confirmed_fraud
  amount              numeric not null,       -- exact sum, so it adds up like frauds.amount
  primary key (hour, risk_level, model_used, currency, location)
);

-- Adds signed changes to frauds_hourly; a key whose count falls to zero is
-- removed. Keys are taken in index order so that two writers changing the
-- same keys lock them in the same order and cannot deadlock each other.
create function rtad_frauds_hourly_merge(deltas frauds_hourly[]) returns void
language sql as $$
  insert into frauds_hourly as h
  select hour, risk_level, model_used, currency, location,
         sum(n), sum(unlabelled), sum(confirmed), sum(amount)
    from unnest(deltas)
   group by hour, risk_level, model_used, currency, location
  having sum(n) <> 0 or sum(unlabelled) <> 0 or sum(confirmed) <> 0 or sum(amount) <> 0
   order by hour, risk_level, model_used, currency, location
  on conflict (hour, risk_level, model_used, currency, location) do update
     set n = h.n + excluded.n, unlabelled = h.unlabelled + excluded.unlabelled,
         confirmed = h.confirmed + excluded.confirmed, amount = h.amount + excluded.amount;
  delete from frauds_hourly h using unnest(deltas) d
   where h.n = 0 and (h.hour, h.risk_level, h.model_used, h.currency, h.location)
                   = (d.hour, d.risk_level, d.model_used, d.currency, d.location);
$$;

-- Statement-level with transition tables: one grouped merge per statement
-- (the sink inserts a whole batch in one), not one upsert per row. The rows
-- an `on conflict do nothing` skipped are not in new_rows.
create function rtad_frauds_hourly_track() returns trigger language plpgsql as $$
declare
  added frauds_hourly[] := '{}';
  removed frauds_hourly[] := '{}';
begin
  if tg_op in ('INSERT', 'UPDATE') then
    added := array(
      select row(rtad_hour(detection_time), risk_level, model_used, currency, location, count(*),
                 count(*) filter (where is_confirmed_fraud is null),
                 count(*) filter (where is_confirmed_fraud), sum(amount))::frauds_hourly
        from new_rows
       group by rtad_hour(detection_time), risk_level, model_used, currency, location);
  end if;
  if tg_op in ('DELETE', 'UPDATE') then
    removed := array(
      select row(rtad_hour(detection_time), risk_level, model_used, currency, location, -count(*),
                 -count(*) filter (where is_confirmed_fraud is null),
                 -count(*) filter (where is_confirmed_fraud), -sum(amount))::frauds_hourly
        from old_rows
       group by rtad_hour(detection_time), risk_level, model_used, currency, location);
  end if;
  perform rtad_frauds_hourly_merge(added || removed);
  return null;
end $$;

-- `rtad db reset` and the tests empty frauds with TRUNCATE, which fires no
-- row or delete triggers.
create function rtad_frauds_hourly_clear() returns trigger language plpgsql as $$
begin
  truncate frauds_hourly;
  return null;
end $$;

-- No writer may slip in between the triggers and the backfill below.
lock table frauds in share row exclusive mode;

create trigger frauds_hourly_insert after insert on frauds
  referencing new table as new_rows
  for each statement execute function rtad_frauds_hourly_track();
create trigger frauds_hourly_update after update on frauds
  referencing old table as old_rows new table as new_rows
  for each statement execute function rtad_frauds_hourly_track();
create trigger frauds_hourly_delete after delete on frauds
  referencing old table as old_rows
  for each statement execute function rtad_frauds_hourly_track();
create trigger frauds_hourly_truncate after truncate on frauds
  for each statement execute function rtad_frauds_hourly_clear();

insert into frauds_hourly
select rtad_hour(detection_time), risk_level, model_used, currency, location, count(*),
       count(*) filter (where is_confirmed_fraud is null),
       count(*) filter (where is_confirmed_fraud), sum(amount)
  from frauds
 group by rtad_hour(detection_time), risk_level, model_used, currency, location;
