// The hourly rollup (db/migrations/003_frauds_hourly.sql) against counting
// frauds itself: after inserts, skipped duplicates, labels, moves, deletes,
// a rollback, retention and truncation, every Overview figure of every
// window is exactly what the pre-rollup queries over frauds give.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import { applyMigrations, createScratchDb, MIGRATIONS_DIR } from "../../scripts/lib/pg-setup.mjs";
import { truncateAll } from "../support/fixtures";
import { WINDOWS, windowStart, type WindowKey } from "../../lib/queries/windows";

// loadOverview reads the database of the environment: point it at the scratch one.
process.env.RTAD_PG_URL = inject("dbUrl");
delete process.env.DATABASE_URL;
const { amountsInMainCurrency, loadOverview, rollupSplit } = await import("../../lib/queries/overview");
const { pool } = await import("../../lib/db");

let db: pg.Pool;
// Not on a whole second, so windows start inside an hour and a minute.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000 - 17 * 60_000 - 23_456);

beforeAll(async () => {
  db = new pg.Pool({ connectionString: inject("dbUrl") });
  await truncateAll(db);
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
  for (const key of Object.keys(WINDOWS) as WindowKey[]) {
    const from = windowStart(key, NOW).getTime();
    const split = rollupSplit(new Date(from)).getTime();
    for (const t of [from - 1, from, from + 1, split - 1, split, split + 1]) out.push(new Date(t));
  }
  return out;
}

async function insertSpread(prefix: string, count: number, extra: Date[] = []): Promise<void> {
  // Up to 31 days back from NOW, spread by a large prime so hours and keys mix.
  await db.query(
    `insert into frauds (transaction_id, user_id, amount, currency, location, timestamp, transaction_type,
       is_confirmed_fraud, detection_score, risk_level, detection_time, model_used, threshold)
     select $1 || i, 'u-' || (i % 97), round((1 + (i * 7919 % 100000) / 100.0)::numeric, 2),
            (array['EUR','EUR','EUR','USD'])[1 + i % 4], (array['DE','FR','US','BR','NG'])[1 + i * 7 % 5],
            $2::timestamptz, 'purchase',
            case when i % 13 = 0 then true when i % 17 = 0 then false end, 0.8,
            (array['low','medium','high'])[1 + i * 11 % 3],
            coalesce(($4::timestamptz[])[i], $2::timestamptz - (i::bigint * 2654435761 % (31::bigint * 86400000)) * interval '1 millisecond'),
            (array['user','global','blend'])[1 + i * 5 % 3], 0.6
       from generate_series(1, $3::int) i
     on conflict (transaction_id) do nothing`,
    [prefix, NOW, count + extra.length, extra.length ? extra : null],
  );
}

/** The Overview's figures computed from frauds alone, as before the rollup. */
async function fromFrauds(key: WindowKey) {
  const from = windowStart(key, NOW);
  const byRiskModel = (await db.query(
    `select risk_level, model_used, count(*)::int as n, count(*) filter (where is_confirmed_fraud is null)::int as unlabelled
       from frauds where detection_time >= $1 group by 1, 2`, [from])).rows;
  const currencies = (await db.query(
    `select currency, location, sum(amount)::float8 as total, count(*)::int as n
       from frauds where detection_time >= $1 group by 1, 2`, [from])).rows;
  const overTime = (await db.query(
    `select date_bin($2::interval, detection_time, '2000-01-01Z') as bucket, risk_level, count(*)::int as n
       from frauds where detection_time >= $1 group by 1, 2`, [from, `${WINDOWS[key].bucketSeconds} seconds`])).rows;
  return { byRiskModel, amountsByLocation: amountsInMainCurrency(currencies), overTime };
}

const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();

async function expectOverviewMatchesFrauds(): Promise<void> {
  for (const key of Object.keys(WINDOWS) as WindowKey[]) {
    const got = await loadOverview(key, NOW);
    const want = await fromFrauds(key);
    expect(sorted(got.byRiskModel), key).toEqual(sorted(want.byRiskModel));
    expect(got.amountsByLocation, key).toEqual(want.amountsByLocation);
    expect(sorted(got.overTime), key).toEqual(sorted(want.overTime));
  }
  // And the rollup as a whole, not only the parts the windows read.
  const { rows } = await db.query(
    `select count(*)::int as n from (
       (select * from frauds_hourly except all
        select rtad_hour(detection_time), risk_level, model_used, currency, location, count(*),
               count(*) filter (where is_confirmed_fraud is null), count(*) filter (where is_confirmed_fraud), sum(amount)
          from frauds group by 1, 2, 3, 4, 5)
       union all
       (select rtad_hour(detection_time), risk_level, model_used, currency, location, count(*),
               count(*) filter (where is_confirmed_fraud is null), count(*) filter (where is_confirmed_fraud), sum(amount)
          from frauds group by 1, 2, 3, 4, 5
        except all select * from frauds_hourly)) d`,
  );
  expect(rows[0].n).toBe(0);
}

describe("frauds_hourly", () => {
  it("gives every window the same figures as counting frauds", async () => {
    await insertSpread("a-", 4000, edgeTimes());
    // A batch replayed: on conflict do nothing must not count anything twice.
    await insertSpread("a-", 50);
    await db.query(
      `insert into frauds select * from frauds where transaction_id like 'a-1%' on conflict (transaction_id) do nothing`,
    );
    const { rows } = await db.query("select count(*)::int as n from frauds");
    expect(rows[0].n).toBe(4000 + edgeTimes().length);
    await expectOverviewMatchesFrauds();
  });

  it("follows labels, moved and deleted rows, and ignores a rollback", async () => {
    await db.query(
      `insert into labels (transaction_id, user_id, label)
       select transaction_id, user_id, case when n % 2 = 0 then 'confirmed_fraud' else 'false_positive' end
         from (select transaction_id, user_id, row_number() over (order by transaction_id) n
                 from frauds where is_confirmed_fraud is null limit 300) x`,
    );
    await db.query(`update frauds set risk_level = 'high', detection_time = detection_time - interval '90 minutes'
                     where transaction_id like 'a-2%'`);
    await db.query(`update frauds set currency = 'USD', amount = amount + 0.01 where transaction_id like 'a-3%'`);
    await db.query(`delete from frauds where transaction_id like 'a-4%'`);
    const c = await db.connect();
    try {
      await c.query("begin");
      await c.query("delete from frauds where transaction_id like 'a-1%'");
      await c.query("rollback");
    } finally {
      c.release();
    }
    await expectOverviewMatchesFrauds();
  });

  it("is untouched by retention, which drops only transactions partitions", async () => {
    await db.query("select rtad_ensure_partitions(($1::timestamptz - interval '40 days')::date, $1::date)", [NOW]);
    const before = (await db.query("select count(*)::int as n, sum(n)::int as frauds from frauds_hourly")).rows[0];
    const dropped = (await db.query("select rtad_drop_old_partitions(7) as n")).rows[0].n;
    expect(dropped).toBeGreaterThan(0);
    expect((await db.query("select count(*)::int as n, sum(n)::int as frauds from frauds_hourly")).rows[0]).toEqual(before);
    await expectOverviewMatchesFrauds();
  });

  it("is emptied with frauds by truncate (what rtad db reset does)", async () => {
    await truncateAll(db);
    expect((await db.query("select count(*)::int as n from frauds_hourly")).rows[0].n).toBe(0);
    await insertSpread("b-", 200);
    await expectOverviewMatchesFrauds();
  });
});

describe("migration 003", () => {
  it("counts the frauds a database already holds", async () => {
    // A database at version 2 with anomalies in it, then migrated to 3.
    const older = fs.mkdtempSync(path.join(os.tmpdir(), "rtad-migrations-"));
    for (const f of fs.readdirSync(MIGRATIONS_DIR).filter((f) => /^00[12]_/.test(f))) {
      fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(older, f));
    }
    const scratch = await createScratchDb(inject("adminUrl"), "rtad_dash_mig", older);
    const c = new pg.Client({ connectionString: scratch.url });
    try {
      await c.connect();
      await c.query(`insert into frauds (transaction_id, user_id, amount, currency, location, timestamp, transaction_type,
                       detection_score, risk_level, detection_time, model_used, threshold)
                     select 'm-' || i, 'u', 10.5, 'EUR', 'DE', now(), 'purchase', 0.8, 'high',
                            timestamptz '2026-01-01 00:00Z' + i * interval '7 minutes', 'user', 0.6
                       from generate_series(1, 100) i`);
      // Later migrations apply too; 003 comes first.
      expect((await applyMigrations(scratch.url))[0]).toBe("003_frauds_hourly.sql");
      const { rows } = await c.query("select sum(n)::int as n, sum(amount)::text as amount, count(*)::int as hours from frauds_hourly");
      expect(rows[0]).toEqual({ n: 100, amount: "1050.00", hours: 12 });
    } finally {
      await c.end();
      await scratch.drop();
      fs.rmSync(older, { recursive: true, force: true });
    }
  });
});
