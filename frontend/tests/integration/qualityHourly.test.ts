// The Quality page's summaries (db/migrations/004_frauds_hourly_quality.sql,
// 005_transactions_hourly_quality.sql) against counting frauds and
// transactions themselves: after inserts, skipped duplicates, labels, moved
// and rescored rows, deletes, a rollback, retention and truncation, every
// Quality figure of every window is exactly what the queries over the rows
// (the page's queries before the summaries) give.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import { applyMigrations, createScratchDb, MIGRATIONS_DIR } from "../../scripts/lib/pg-setup.mjs";
import { truncateAll } from "../support/fixtures";
import { WINDOWS, windowStart, type WindowKey } from "../../lib/queries/windows";

// loadQuality reads the database of the environment: point it at the scratch one.
process.env.RTAD_PG_URL = inject("dbUrl");
delete process.env.DATABASE_URL;
const { HISTOGRAM_BINS, loadQuality } = await import("../../lib/queries/quality");
const { rollupSplit } = await import("../../lib/queries/overview");
const { pool } = await import("../../lib/db");

let db: pg.Pool;
// Late in yesterday's UTC day and not on a whole second, so windows start
// inside an hour and a minute, and the day each window starts on holds only
// rows from before its first whole hour (read from the rows, not the
// summaries): a day the summaries do not reach must count 0, not null.
const NOW = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 17 * 60_000 - 23_456);
const KEYS = Object.keys(WINDOWS) as WindowKey[];

beforeAll(async () => {
  db = new pg.Pool({ connectionString: inject("dbUrl") });
  await truncateAll(db);
  await db.query("select rtad_ensure_partitions(($1::timestamptz - interval '33 days')::date, ($1::timestamptz + interval '1 day')::date)", [NOW]);
});
afterAll(async () => {
  await truncateAll(db);
  await db?.end();
  await pool().end();
});

// Rows at the edges that matter: each window's start, the first whole hour
// after it, and a millisecond either side of both.
function edgeTimes(): Date[] {
  const out: Date[] = [];
  for (const key of KEYS) {
    const from = windowStart(key, NOW).getTime();
    const split = rollupSplit(new Date(from)).getTime();
    for (const t of [from - 1, from, from + 1, split - 1, split, split + 1]) out.push(new Date(t));
  }
  return out;
}

// Scores as the node writes them now (ranks in [0, 1], most near 1), every
// bin edge and the values the histogram clamps (below 0, above 1).
const SCORES = [0, 0.05, 0.05000001, 0.5, 0.9, 0.95, 0.9500001, 0.97, 0.98, 0.99, 0.995, 0.999, 1, 1.2, -0.1];
const SCORE_SQL = `($5::float8[])[1 + i * 3 % ${SCORES.length}]`;

async function insertFraudRows(prefix: string, count: number, extra: Date[] = []): Promise<void> {
  await db.query(
    `insert into frauds (transaction_id, user_id, amount, currency, location, timestamp, transaction_type,
       is_confirmed_fraud, detection_score, risk_level, detection_time, model_used, threshold, ground_truth)
     select $1 || i, 'u-' || (i % 97), 10.5, 'EUR', 'DE', $2::timestamptz, 'purchase',
            case when i % 13 = 0 then true when i % 17 = 0 then false end, ${SCORE_SQL},
            (array['low','medium','high'])[1 + i * 11 % 3],
            coalesce(($4::timestamptz[])[i], $2::timestamptz - (i::bigint * 2654435761 % (31::bigint * 86400000)) * interval '1 millisecond'),
            'user', 0.6, case when i % 5 = 0 then null else i % 3 <> 0 end
       from generate_series(1, $3::int) i
     on conflict (transaction_id) do nothing`,
    [prefix, NOW, count + extra.length, extra.length ? extra : null, SCORES],
  );
}

async function insertTransactionRows(prefix: string, count: number, extra: Date[] = []): Promise<void> {
  await db.query(
    `insert into transactions (transaction_id, timestamp, user_id, amount, currency, location, transaction_type,
       score, threshold, is_anomaly, model_used, ground_truth)
     select $1 || i,
            coalesce(($4::timestamptz[])[i], $2::timestamptz - (i::bigint * 2654435761 % (31::bigint * 86400000)) * interval '1 millisecond'),
            'u-' || (i % 97), 10.5, 'EUR', 'DE', 'purchase', ${SCORE_SQL}, 0.97, i % 4 = 0, 'user',
            case when i % 7 = 0 then null else i % 3 = 0 end
       from generate_series(1, $3::int) i
     on conflict do nothing`,
    [prefix, NOW, count + extra.length, extra.length ? extra : null, SCORES],
  );
}

/** The Quality figures counted from the rows themselves: the page's queries before the summaries. */
async function fromRows(key: WindowKey) {
  const from = windowStart(key, NOW);
  const bin = (col: string) => `greatest(least(width_bucket(${col}, 0, 1, ${HISTOGRAM_BINS}), ${HISTOGRAM_BINS}), 1)`;
  const labels = (await db.query(
    `select count(*) filter (where is_confirmed_fraud)::int as confirmed,
            count(*) filter (where not is_confirmed_fraud)::int as fp,
            count(*) filter (where is_confirmed_fraud is null)::int as unlabelled
       from frauds where detection_time >= $1`, [from])).rows[0];
  const tx = (await db.query(
    `select count(*) filter (where is_anomaly and ground_truth)::int as tp,
            count(*) filter (where is_anomaly and not ground_truth)::int as fp,
            count(*) filter (where not is_anomaly and ground_truth)::int as fn,
            count(*) filter (where not is_anomaly and not ground_truth)::int as tn
       from transactions where timestamp >= $1 and ground_truth is not null`, [from])).rows[0];
  const fr = (await db.query(
    `select count(*) filter (where ground_truth)::int as tp, count(*) filter (where not ground_truth)::int as fp
       from frauds where detection_time >= $1 and ground_truth is not null`, [from])).rows[0];
  const txHist = (await db.query(
    `select ${bin("score")} as bin, count(*) filter (where is_anomaly)::int as flagged, count(*) filter (where not is_anomaly)::int as passed
       from transactions where timestamp >= $1 group by 1 order by 1`, [from])).rows;
  const frHist = (await db.query(
    `select ${bin("detection_score")} as bin, count(*)::int as flagged, 0 as passed
       from frauds where detection_time >= $1 group by 1 order by 1`, [from])).rows;
  const perDay = (await db.query(
    `select date_trunc('day', detection_time, 'UTC') as day,
            count(*) filter (where is_confirmed_fraud)::int as confirmed,
            count(*) filter (where not is_confirmed_fraud)::int as false_positive,
            count(*) filter (where is_confirmed_fraud is null)::int as unlabelled
       from frauds where detection_time >= $1 group by 1 order by 1`, [from])).rows;
  const txHasTruth = tx.tp + tx.fp + tx.fn + tx.tn > 0;
  return {
    from,
    labels: { confirmed: labels.confirmed, falsePositive: labels.fp, unlabelled: labels.unlabelled },
    truth: txHasTruth ? { ...tx, source: "transactions" } : { tp: fr.tp, fp: fr.fp, fn: 0, tn: 0, source: fr.tp + fr.fp > 0 ? "frauds" : "none" },
    histogram: txHist.length ? txHist : frHist,
    histogramSource: txHist.length ? "transactions" : frHist.length ? "frauds" : "none",
    perDay,
  };
}

/** Both summaries as a whole equal grouping the rows (not only the parts the windows read). */
async function summaryDifferences(): Promise<number> {
  const { rows } = await db.query(
    `with f as (select rtad_hour(detection_time), rtad_score_bin(detection_score), count(*),
                       count(*) filter (where is_confirmed_fraud), count(*) filter (where not is_confirmed_fraud),
                       count(*) filter (where is_confirmed_fraud is null), count(*) filter (where ground_truth),
                       count(*) filter (where not ground_truth)
                  from frauds group by 1, 2),
          t as (select rtad_hour(timestamp), rtad_score_bin(score),
                       count(*) filter (where is_anomaly), count(*) filter (where not is_anomaly),
                       count(*) filter (where is_anomaly and ground_truth), count(*) filter (where is_anomaly and not ground_truth),
                       count(*) filter (where not is_anomaly and ground_truth), count(*) filter (where not is_anomaly and not ground_truth)
                  from transactions group by 1, 2)
     select (select count(*) from ((select * from frauds_hourly_quality except all select * from f)
                                   union all (select * from f except all select * from frauds_hourly_quality)) d)
          + (select count(*) from ((select * from transactions_hourly_quality except all select * from t)
                                   union all (select * from t except all select * from transactions_hourly_quality)) d) as n`,
  );
  return Number(rows[0].n);
}

async function expectQualityMatchesRows(): Promise<void> {
  for (const key of KEYS) {
    const got = await loadQuality(key, NOW);
    expect(got, key).toEqual(await fromRows(key));
  }
  expect(await summaryDifferences()).toBe(0);
}

describe("frauds_hourly_quality and transactions_hourly_quality", () => {
  it("give every window the Quality figures of the frauds alone (no transactions stored)", async () => {
    await insertFraudRows("a-", 3000, edgeTimes());
    // A batch replayed: on conflict do nothing must not count anything twice.
    await insertFraudRows("a-", 50);
    await db.query(`insert into frauds select * from frauds where transaction_id like 'a-1%' on conflict (transaction_id) do nothing`);
    expect((await db.query("select count(*)::int as n from frauds")).rows[0].n).toBe(3000 + edgeTimes().length);
    for (const key of KEYS) {
      const q = await loadQuality(key, NOW);
      expect(q.histogramSource, key).toBe("frauds");
      expect(q.truth.source, key).toBe("frauds");
    }
    await expectQualityMatchesRows();
  });

  it("and with every scored transaction stored, its histogram and ground truth", async () => {
    await insertTransactionRows("a-", 4000, edgeTimes());
    await insertTransactionRows("a-", 60);
    await db.query(`insert into transactions select * from transactions where transaction_id like 'a-2%' on conflict do nothing`);
    for (const key of KEYS) {
      const q = await loadQuality(key, NOW);
      expect(q.histogramSource, key).toBe("transactions");
      expect(q.truth.source, key).toBe("transactions");
    }
    await expectQualityMatchesRows();
  });

  it("follow labels, moved, rescored and deleted rows, and ignore a rollback", async () => {
    await db.query(
      `insert into labels (transaction_id, user_id, label)
       select transaction_id, user_id, case when n % 2 = 0 then 'confirmed_fraud' else 'false_positive' end
         from (select transaction_id, user_id, row_number() over (order by transaction_id) n
                 from frauds where is_confirmed_fraud is null limit 300) x`,
    );
    // A label changed: confirmed becomes false positive.
    await db.query(
      `insert into labels (transaction_id, user_id, label)
       select transaction_id, user_id, 'false_positive' from frauds where is_confirmed_fraud order by transaction_id limit 40`,
    );
    await db.query(`update frauds set detection_time = detection_time - interval '90 minutes', detection_score = 0.999
                     where transaction_id like 'a-2%'`);
    await db.query(`update frauds set ground_truth = not ground_truth where transaction_id like 'a-3%'`);
    await db.query(`delete from frauds where transaction_id like 'a-4%'`);
    // Across hours and daily partitions, and a verdict changed.
    await db.query(`update transactions set timestamp = timestamp - interval '25 hours', score = score / 2
                     where transaction_id like 'a-2%'`);
    await db.query(`update transactions set is_anomaly = not is_anomaly, ground_truth = null where transaction_id like 'a-3%'`);
    await db.query(`delete from transactions where transaction_id like 'a-5%'`);
    const c = await db.connect();
    try {
      await c.query("begin");
      await c.query("delete from frauds where transaction_id like 'a-1%'");
      await c.query("delete from transactions where transaction_id like 'a-1%'");
      await c.query("rollback");
    } finally {
      c.release();
    }
    await expectQualityMatchesRows();
  });

  it("lose the days retention drops with their transactions partitions", async () => {
    const beforeFrauds = (await db.query("select count(*)::int as n, sum(n)::int as frauds from frauds_hourly_quality")).rows[0];
    const dropped = (await db.query("select rtad_drop_old_partitions(7) as n")).rows[0].n;
    expect(dropped).toBeGreaterThan(0);
    // frauds are not touched by retention, nor is their summary.
    expect((await db.query("select count(*)::int as n, sum(n)::int as frauds from frauds_hourly_quality")).rows[0]).toEqual(beforeFrauds);
    try {
      const oldest = (await db.query("select min(hour) as h from transactions_hourly_quality")).rows[0].h as Date;
      expect(oldest.getTime()).toBeGreaterThanOrEqual(NOW.getTime() - 9 * 86_400_000);
      await expectQualityMatchesRows();
    } finally {
      // The tests after this one write into the dropped days again.
      await db.query("select rtad_ensure_partitions(($1::timestamptz - interval '33 days')::date, $1::date)", [NOW]);
    }
  });

  it("are caught by this test when they are wrong", async () => {
    // The comparison must notice a summary that is off by one anywhere a window reads it.
    const split = rollupSplit(windowStart("24h", NOW));
    for (const [table, column] of [["frauds_hourly_quality", "unlabelled"], ["transactions_hourly_quality", "passed"]]) {
      const { rowCount } = await db.query(
        `update ${table} set ${column} = ${column} + 1 where (hour, bin) = (select hour, bin from ${table} where hour >= $1 order by hour limit 1)`,
        [split],
      );
      expect(rowCount).toBe(1);
      expect(await loadQuality("24h", NOW)).not.toEqual(await fromRows("24h"));
      expect(await summaryDifferences()).toBeGreaterThan(0);
      await db.query(`update ${table} set ${column} = ${column} - 1 where (hour, bin) = (select hour, bin from ${table} where hour >= $1 order by hour limit 1)`, [split]);
    }
    await expectQualityMatchesRows();
  });

  it("are emptied with their tables by truncate (what rtad db reset does)", async () => {
    await truncateAll(db);
    expect((await db.query("select (select count(*) from frauds_hourly_quality) + (select count(*) from transactions_hourly_quality) as n")).rows[0].n).toBe("0");
    const empty = await loadQuality("30d", NOW);
    expect([empty.histogramSource, empty.truth.source, empty.perDay.length]).toEqual(["none", "none", 0]);
    await insertFraudRows("b-", 200, edgeTimes());
    await insertTransactionRows("b-", 300);
    await expectQualityMatchesRows();
  });

  it("take a NaN score into the last bin instead of failing the sink's insert", async () => {
    await db.query(`insert into frauds (transaction_id, user_id, amount, currency, location, timestamp, transaction_type,
                      detection_score, risk_level, detection_time, model_used, threshold)
                    values ('nan-1', 'u', 1, 'EUR', 'DE', $1, 'purchase', 'NaN', 'high', $1, 'user', 0.6)`, [NOW]);
    const { rows } = await db.query("select n::int from frauds_hourly_quality where hour = rtad_hour($1) and bin = 20", [NOW]);
    expect(rows[0].n).toBeGreaterThanOrEqual(1);
    await db.query("delete from frauds where transaction_id = 'nan-1'");
    expect(await summaryDifferences()).toBe(0);
  });
});

describe("migrations 004 and 005", () => {
  it("count the frauds and transactions a database already holds", async () => {
    // A database at version 3 with rows in it, then migrated to 5.
    const older = fs.mkdtempSync(path.join(os.tmpdir(), "rtad-migrations-"));
    for (const f of fs.readdirSync(MIGRATIONS_DIR).filter((f) => /^00[123]_/.test(f))) {
      fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(older, f));
    }
    const scratch = await createScratchDb(inject("adminUrl"), "rtad_dash_mig", older);
    const c = new pg.Client({ connectionString: scratch.url });
    try {
      await c.connect();
      await c.query("select rtad_ensure_partitions('2026-01-01', '2026-01-02')");
      await c.query(`insert into frauds (transaction_id, user_id, amount, currency, location, timestamp, transaction_type,
                       detection_score, risk_level, detection_time, model_used, threshold, ground_truth, is_confirmed_fraud)
                     select 'm-' || i, 'u', 10.5, 'EUR', 'DE', now(), 'purchase', 0.9 + i / 1000.0, 'high',
                            timestamptz '2026-01-01 00:00Z' + i * interval '7 minutes', 'user', 0.6, i % 2 = 0,
                            case when i % 10 = 0 then true end
                       from generate_series(1, 100) i`);
      await c.query(`insert into transactions (transaction_id, timestamp, user_id, amount, currency, location, transaction_type,
                       score, threshold, is_anomaly, model_used, ground_truth)
                     select 't-' || i, timestamptz '2026-01-01 00:00Z' + i * interval '7 minutes', 'u', 1, 'EUR', 'DE', 'purchase',
                            i / 100.0, 0.9, i > 90, 'user', i % 3 = 0
                       from generate_series(1, 100) i`);
      expect((await applyMigrations(scratch.url)).slice(0, 2)).toEqual(["004_frauds_hourly_quality.sql", "005_transactions_hourly_quality.sql"]);
      const f = (await c.query(`select sum(n)::int as n, sum(truth_fraud)::int as truth, sum(confirmed)::int as confirmed,
                                       count(distinct hour)::int as hours, count(distinct bin)::int as bins from frauds_hourly_quality`)).rows[0];
      expect(f).toEqual({ n: 100, truth: 50, confirmed: 10, hours: 12, bins: 2 });
      const t = (await c.query(`select sum(flagged)::int as flagged, sum(passed)::int as passed, sum(truth_tp)::int as tp,
                                       count(distinct bin)::int as bins from transactions_hourly_quality`)).rows[0];
      expect(t).toEqual({ flagged: 10, passed: 90, tp: 3, bins: 20 });
    } finally {
      await c.end();
      await scratch.drop();
      fs.rmSync(older, { recursive: true, force: true });
    }
  });
});
