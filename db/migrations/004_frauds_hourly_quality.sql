-- What the dashboard's Quality page needs of frauds, per UTC hour and score
-- bin: label counts, ground-truth counts and the score histogram of the
-- flagged rows, so a 30-day window reads at most 24 x 20 rows a day instead
-- of every anomaly (1.7-3 s at 30 days on a million rows; see
-- frontend/README.md). Kept exact by the triggers of 003: their functions are
-- replaced here so that every insert, update, delete and truncate of frauds
-- changes both summaries in the same statement.
--
-- A separate table rather than a key column in frauds_hourly: the bin as
-- another key would multiply that table's rows (and the Overview's reads).

-- The score bin exactly as the Quality page's histogram has always cut it:
-- 20 bins over [0, 1], the ends clamped into the first and last. NaN, on
-- which width_bucket raises (and would fail the sink's insert in the
-- trigger), goes into the last bin: PostgreSQL orders NaN above every number.
create function rtad_score_bin(score double precision) returns integer
language sql immutable parallel safe as $$
  select case when score = 'NaN' then 20 else greatest(least(width_bucket(score, 0, 1, 20), 20), 1) end
$$;

create table frauds_hourly_quality (
  hour                timestamptz not null,   -- rtad_hour(detection_time)
  bin                 integer not null,       -- rtad_score_bin(detection_score)
  n                   bigint not null,
  confirmed           bigint not null,        -- is_confirmed_fraud
  false_positive      bigint not null,        -- not is_confirmed_fraud
  unlabelled          bigint not null,        -- is_confirmed_fraud is null
  truth_fraud         bigint not null,        -- ground_truth
  truth_legit         bigint not null,        -- not ground_truth
  primary key (hour, bin)
);

-- Same as rtad_frauds_hourly_merge: signed changes, keys in index order, a
-- key whose count falls to zero removed.
create function rtad_frauds_hourly_quality_merge(deltas frauds_hourly_quality[]) returns void
language sql as $$
  insert into frauds_hourly_quality as h
  select hour, bin, sum(n), sum(confirmed), sum(false_positive), sum(unlabelled),
         sum(truth_fraud), sum(truth_legit)
    from unnest(deltas)
   group by hour, bin
  having sum(n) <> 0 or sum(confirmed) <> 0 or sum(false_positive) <> 0 or sum(unlabelled) <> 0
      or sum(truth_fraud) <> 0 or sum(truth_legit) <> 0
   order by hour, bin
  on conflict (hour, bin) do update
     set n = h.n + excluded.n, confirmed = h.confirmed + excluded.confirmed,
         false_positive = h.false_positive + excluded.false_positive,
         unlabelled = h.unlabelled + excluded.unlabelled,
         truth_fraud = h.truth_fraud + excluded.truth_fraud,
         truth_legit = h.truth_legit + excluded.truth_legit;
  delete from frauds_hourly_quality h using unnest(deltas) d
   where h.n = 0 and (h.hour, h.bin) = (d.hour, d.bin);
$$;

-- No writer may slip in between the new trigger functions and the backfill.
lock table frauds in share row exclusive mode;

-- The triggers of 003 stay; their function now keeps both summaries.
create or replace function rtad_frauds_hourly_track() returns trigger language plpgsql as $$
declare
  added frauds_hourly[] := '{}';
  removed frauds_hourly[] := '{}';
  q_added frauds_hourly_quality[] := '{}';
  q_removed frauds_hourly_quality[] := '{}';
begin
  if tg_op in ('INSERT', 'UPDATE') then
    added := array(
      select row(rtad_hour(detection_time), risk_level, model_used, currency, location, count(*),
                 count(*) filter (where is_confirmed_fraud is null),
                 count(*) filter (where is_confirmed_fraud), sum(amount))::frauds_hourly
        from new_rows
       group by rtad_hour(detection_time), risk_level, model_used, currency, location);
    q_added := array(
      select row(rtad_hour(detection_time), rtad_score_bin(detection_score), count(*),
                 count(*) filter (where is_confirmed_fraud),
                 count(*) filter (where not is_confirmed_fraud),
                 count(*) filter (where is_confirmed_fraud is null),
                 count(*) filter (where ground_truth),
                 count(*) filter (where not ground_truth))::frauds_hourly_quality
        from new_rows
       group by rtad_hour(detection_time), rtad_score_bin(detection_score));
  end if;
  if tg_op in ('DELETE', 'UPDATE') then
    removed := array(
      select row(rtad_hour(detection_time), risk_level, model_used, currency, location, -count(*),
                 -count(*) filter (where is_confirmed_fraud is null),
                 -count(*) filter (where is_confirmed_fraud), -sum(amount))::frauds_hourly
        from old_rows
       group by rtad_hour(detection_time), risk_level, model_used, currency, location);
    q_removed := array(
      select row(rtad_hour(detection_time), rtad_score_bin(detection_score), -count(*),
                 -count(*) filter (where is_confirmed_fraud),
                 -count(*) filter (where not is_confirmed_fraud),
                 -count(*) filter (where is_confirmed_fraud is null),
                 -count(*) filter (where ground_truth),
                 -count(*) filter (where not ground_truth))::frauds_hourly_quality
        from old_rows
       group by rtad_hour(detection_time), rtad_score_bin(detection_score));
  end if;
  perform rtad_frauds_hourly_merge(added || removed);
  perform rtad_frauds_hourly_quality_merge(q_added || q_removed);
  return null;
end $$;

create or replace function rtad_frauds_hourly_clear() returns trigger language plpgsql as $$
begin
  truncate frauds_hourly, frauds_hourly_quality;
  return null;
end $$;

insert into frauds_hourly_quality
select rtad_hour(detection_time), rtad_score_bin(detection_score), count(*),
       count(*) filter (where is_confirmed_fraud),
       count(*) filter (where not is_confirmed_fraud),
       count(*) filter (where is_confirmed_fraud is null),
       count(*) filter (where ground_truth),
       count(*) filter (where not ground_truth)
  from frauds
 group by 1, 2;
