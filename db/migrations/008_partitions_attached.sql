-- A new day's partition is created on its own and then attached, instead of
-- CREATE TABLE ... PARTITION OF. The latter locks `transactions` whole
-- (ACCESS EXCLUSIVE): it waits for every open transaction on the table, and
-- every later statement (other writers, the profile store's restores, the
-- dashboard) queues behind it. ATTACH PARTITION takes SHARE UPDATE
-- EXCLUSIVE, which writers and readers do not conflict with; the empty new
-- table gets the parent's indexes as it is attached. A stream replaying
-- months of history needs a new day every few seconds: in the fault
-- campaign two nodes' day creations kept timing out on each other's writes.
create or replace function rtad_ensure_partitions(from_day date, to_day date) returns void
language plpgsql as $$
declare
  d date := from_day;
  name text;
begin
  while d <= to_day loop
    name := 'transactions_' || to_char(d, 'YYYYMMDD');
    if to_regclass(name) is null then
      begin
        execute format('create table %I (like transactions including defaults including constraints)',
                       name);
        execute format('alter table transactions attach partition %I for values from (%L) to (%L)',
                       name, d::timestamp at time zone 'UTC', (d + 1)::timestamp at time zone 'UTC');
      exception when duplicate_table or unique_violation then
        null; -- another node created it meanwhile (a concurrent CREATE may say either)
      end;
    end if;
    d := d + 1;
  end loop;
end $$;
