-- What the Quality page needs of transactions (kept when a node stores every
-- scored transaction, `store_all`), per UTC hour of the transaction's own
-- timestamp and score bin: how many were flagged and passed, and ground
-- truth against the verdict. A 30-day window then reads at most 24 x 20 rows
-- a day instead of every scored transaction.
--
-- Exact: statement-level triggers on the partitioned table see every row
-- routed to any partition (one grouped merge per statement: the sink inserts
-- a batch in one); retention, which drops whole daily partitions without
-- firing triggers, removes those days' hours here in the same transaction
-- (rtad_drop_old_partitions below); truncate empties it. Writers must write
-- through `transactions`, not into a partition by name (nothing in rtad
-- does): a partition's own rows fire only the partition's triggers.

create table transactions_hourly_quality (
  hour                timestamptz not null,   -- rtad_hour(timestamp); partitions are whole UTC days
  bin                 integer not null,       -- rtad_score_bin(score)
  flagged             bigint not null,        -- is_anomaly
  passed              bigint not null,        -- not is_anomaly
  truth_tp            bigint not null,        -- is_anomaly and ground_truth
  truth_fp            bigint not null,        -- is_anomaly and not ground_truth
  truth_fn            bigint not null,        -- not is_anomaly and ground_truth
  truth_tn            bigint not null,        -- not is_anomaly and not ground_truth
  primary key (hour, bin)
);

create function rtad_transactions_hourly_quality_merge(deltas transactions_hourly_quality[]) returns void
language sql as $$
  insert into transactions_hourly_quality as h
  select hour, bin, sum(flagged), sum(passed), sum(truth_tp), sum(truth_fp), sum(truth_fn), sum(truth_tn)
    from unnest(deltas)
   group by hour, bin
  having sum(flagged) <> 0 or sum(passed) <> 0 or sum(truth_tp) <> 0 or sum(truth_fp) <> 0
      or sum(truth_fn) <> 0 or sum(truth_tn) <> 0
   order by hour, bin
  on conflict (hour, bin) do update
     set flagged = h.flagged + excluded.flagged, passed = h.passed + excluded.passed,
         truth_tp = h.truth_tp + excluded.truth_tp, truth_fp = h.truth_fp + excluded.truth_fp,
         truth_fn = h.truth_fn + excluded.truth_fn, truth_tn = h.truth_tn + excluded.truth_tn;
  delete from transactions_hourly_quality h using unnest(deltas) d
   where h.flagged = 0 and h.passed = 0 and (h.hour, h.bin) = (d.hour, d.bin);
$$;

create function rtad_transactions_hourly_quality_track() returns trigger language plpgsql as $$
declare
  added transactions_hourly_quality[] := '{}';
  removed transactions_hourly_quality[] := '{}';
begin
  if tg_op in ('INSERT', 'UPDATE') then
    added := array(
      select row(rtad_hour(timestamp), rtad_score_bin(score),
                 count(*) filter (where is_anomaly), count(*) filter (where not is_anomaly),
                 count(*) filter (where is_anomaly and ground_truth),
                 count(*) filter (where is_anomaly and not ground_truth),
                 count(*) filter (where not is_anomaly and ground_truth),
                 count(*) filter (where not is_anomaly and not ground_truth))::transactions_hourly_quality
        from new_rows
       group by rtad_hour(timestamp), rtad_score_bin(score));
  end if;
  if tg_op in ('DELETE', 'UPDATE') then
    removed := array(
      select row(rtad_hour(timestamp), rtad_score_bin(score),
                 -count(*) filter (where is_anomaly), -count(*) filter (where not is_anomaly),
                 -count(*) filter (where is_anomaly and ground_truth),
                 -count(*) filter (where is_anomaly and not ground_truth),
                 -count(*) filter (where not is_anomaly and ground_truth),
                 -count(*) filter (where not is_anomaly and not ground_truth))::transactions_hourly_quality
        from old_rows
       group by rtad_hour(timestamp), rtad_score_bin(score));
  end if;
  perform rtad_transactions_hourly_quality_merge(added || removed);
  return null;
end $$;

create function rtad_transactions_hourly_quality_clear() returns trigger language plpgsql as $$
begin
  truncate transactions_hourly_quality;
  return null;
end $$;

-- As 001's, and each dropped day's hours leave the summary with it.
create or replace function rtad_drop_old_partitions(keep_days integer) returns integer
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
  for r in select c.relname, to_date(substr(c.relname, 14), 'YYYYMMDD') as day from pg_inherits i
             join pg_class c on c.oid = i.inhrelid
             join pg_class p on p.oid = i.inhparent
            where p.relname = 'transactions'
              and c.relname ~ '^transactions_[0-9]{8}$'
              and to_date(substr(c.relname, 14), 'YYYYMMDD') < newest - keep_days loop
    execute format('drop table %I', r.relname);
    delete from transactions_hourly_quality
     where hour >= r.day::timestamp at time zone 'UTC' and hour < (r.day + 1)::timestamp at time zone 'UTC';
    dropped := dropped + 1;
  end loop;
  return dropped;
end $$;

-- No writer may slip in between the triggers and the backfill below (locks
-- every partition too).
lock table transactions in share row exclusive mode;

create trigger transactions_hourly_quality_insert after insert on transactions
  referencing new table as new_rows
  for each statement execute function rtad_transactions_hourly_quality_track();
create trigger transactions_hourly_quality_update after update on transactions
  referencing old table as old_rows new table as new_rows
  for each statement execute function rtad_transactions_hourly_quality_track();
create trigger transactions_hourly_quality_delete after delete on transactions
  referencing old table as old_rows
  for each statement execute function rtad_transactions_hourly_quality_track();
create trigger transactions_hourly_quality_truncate after truncate on transactions
  for each statement execute function rtad_transactions_hourly_quality_clear();

insert into transactions_hourly_quality
select rtad_hour(timestamp), rtad_score_bin(score),
       count(*) filter (where is_anomaly), count(*) filter (where not is_anomaly),
       count(*) filter (where is_anomaly and ground_truth),
       count(*) filter (where is_anomaly and not ground_truth),
       count(*) filter (where not is_anomaly and ground_truth),
       count(*) filter (where not is_anomaly and not ground_truth)
  from transactions
 group by 1, 2;
