-- Retention counts days back from the wall clock (UTC today), no longer from
-- the newest partition: one message stamped 2099 made 2099 the newest day,
-- and the next hourly run would have dropped every real day. No message can
-- move the clock, so none can make retention drop what it should keep; a
-- partition ahead of the clock (one made before input.max_future_s existed)
-- is never dropped and moves nothing. Traffic replayed from longer ago than
-- keep_days is dropped like any old day: give such replays a longer
-- sink.retention_days. As 005's otherwise: a dropped day's hours leave
-- transactions_hourly_quality in the same transaction.
create or replace function rtad_drop_old_partitions(keep_days integer) returns integer
language plpgsql as $$
declare
  r record;
  cutoff date;
  dropped integer := 0;
begin
  if keep_days is null or keep_days < 1 then
    raise exception 'rtad_drop_old_partitions: keep_days must be at least 1, got %', keep_days;
  end if;
  cutoff := (now() at time zone 'UTC')::date - keep_days;
  for r in select c.relname, to_date(substr(c.relname, 14), 'YYYYMMDD') as day from pg_inherits i
             join pg_class c on c.oid = i.inhrelid
             join pg_class p on p.oid = i.inhparent
            where p.relname = 'transactions'
              and c.relname ~ '^transactions_[0-9]{8}$'
              and to_date(substr(c.relname, 14), 'YYYYMMDD') < cutoff loop
    execute format('drop table %I', r.relname);
    delete from transactions_hourly_quality
     where hour >= r.day::timestamp at time zone 'UTC' and hour < (r.day + 1)::timestamp at time zone 'UTC';
    dropped := dropped + 1;
  end loop;
  return dropped;
end $$;
