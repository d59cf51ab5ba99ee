#!/usr/bin/env node
// Page-load benchmark on a million anomalies (not part of `npm test`).
//
//   RTAD_SERVICES_ENV=/path/to/.rtad/services.env npm run bench:load [-- --rows N] [-- --keep]
//   npm run bench:load -- --db NAME [--base-url URL]    # time again on a kept database
//   npm run bench:load -- [--db NAME] --transactions N  # also store N scored transactions
//
// Creates a scratch database beside rtad's (never writes into rtad itself),
// applies the real migrations, bulk-loads N frauds (default 1,000,000) spread
// over 30 days with generate_series, starts the built dashboard on it, and
// times each page: the full HTML over HTTP (server work included, which is
// all of the database work) and, for the main pages, a Chromium navigation
// to the load event. Prints a table; drops the database unless --keep.
// --db reuses a database kept earlier (no load, never dropped); --base-url
// times a dashboard already running on it (e.g. an older build, for a
// before/after comparison on the same rows) instead of starting this one.
import os from "node:os";
import { chromium } from "playwright-core";
import pg from "pg";
import { adminPgUrl, assertReachable, createScratchDb, withDatabase } from "./lib/pg-setup.mjs";
import { ensureBuild, startServer } from "./lib/server.mjs";

const args = process.argv.slice(2);
const rows = Number(args[args.indexOf("--rows") + 1] || 0) || 1_000_000;
const keep = args.includes("--keep");
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const reuse = option("--db");
const baseUrl = option("--base-url");
const transactions = Number(option("--transactions") || 0);
const RUNS = 7;
const DAYS = 30;

const PAGES = [
  ["Overview, 1 h window", "/?window=1h"],
  ["Overview, 24 h window", "/?window=24h"],
  ["Overview, 7 d window", "/?window=7d"],
  ["Overview, 30 d window (every row)", "/?window=30d"],
  ["Anomalies, no filter", "/anomalies"],
  ["Anomalies, risk=high & location=DE", "/anomalies?risk=high&location=DE"],
  ["Anomalies, one user", "/anomalies?user=u-1234"],
  ["Anomalies, unlabelled, sorted by score", "/anomalies?label=unlabelled&sort=score"],
  ["Anomalies, score 0.9-0.95, last 7 d", "/anomalies?score_min=0.9&score_max=0.95&range=7d"],
  ["Anomalies, page 100", "/anomalies?page=100"],
  ["User page", "/users/u-1234"],
  ["Cluster", "/cluster"],
  ["Quality, 1 h window", "/quality?window=1h"],
  ["Quality, 24 h window", "/quality?window=24h"],
  ["Quality, 7 d window (default)", "/quality?window=7d"],
  ["Quality, 30 d window (every row)", "/quality?window=30d"],
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function load(db) {
  const c = new pg.Client({ connectionString: db.url });
  c.on("error", () => {}); // the database is dropped under it on failure
  await c.connect();
  const t0 = Date.now();
  // Same value shapes as the node writes; attributes vary independently by
  // row number so filters select realistic fractions.
  await c.query(`
    insert into frauds (transaction_id, user_id, amount, currency, location, timestamp, transaction_type,
      merchant_id, merchant_name, merchant_category, payment_method, device_type, ip_address, is_confirmed_fraud,
      detection_score, risk_level, detection_time, detection_features, model_used, threshold, explanation,
      ground_truth, node, kafka_partition, kafka_offset)
    select 'b-' || i, 'u-' || (i * 7919 % 50000), round((5 + (i * 104729 % 900000) / 100.0)::numeric, 2), 'EUR',
           (array['DE','FR','GB','ES','IT','NL','US','BR','NG','PL','SE','CH'])[1 + i % 12],
           now() - (i::double precision / $1::bigint * ${DAYS} * 86400) * interval '1 second' - interval '1 second', 'purchase',
           'm-' || (i % 5000), 'Merchant ' || (i % 5000),
           (array['electronics','travel','gambling','grocery','fashion','crypto','fuel','digital'])[1 + (i * 31) % 8],
           'card', 'mobile', '198.51.100.' || (i % 250),
           case when i % 97 = 0 then true when i % 89 = 0 then false else null end,
           0.6 + (i * 37 % 400) / 1000.0,
           case when i * 37 % 400 >= 280 then 'high' when i * 37 % 400 >= 120 then 'medium' else 'low' end,
           now() - (i::double precision / $1::bigint * ${DAYS} * 86400) * interval '1 second',
           '[{"feature":"amount_vs_usual","value":12.4,"usual":"0.5-2.1"}]',
           (array['user','user','blend','global'])[1 + i % 4], 0.6, 'amount vs usual', i % 5 <> 0,
           'node-' || (i % 3), i % 6, i
      from generate_series(1::bigint, $1::bigint) i`, [rows]);
  await c.query(`insert into node_status (node, state, partitions, transactions_per_s) select 'node-' || n, 'running', array[n*2, n*2+1], 1800 from generate_series(0, 2) n`);
  await c.query("vacuum analyze");
  const loadS = (Date.now() - t0) / 1000;
  await c.end();
  return loadS;
}

// Every scored transaction, as a node with store_all keeps them: N rows over
// the same 30 days, scores ranks in [0, 1] concentrated near 1, ~2 % flagged,
// ground truth on every row.
async function loadTransactions(db, n) {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  const t0 = Date.now();
  await c.query(`select rtad_ensure_partitions((now() - interval '${DAYS + 1} days')::date, now()::date)`);
  await c.query(`
    insert into transactions (transaction_id, timestamp, user_id, amount, currency, location, transaction_type,
      merchant_category, score, threshold, is_anomaly, model_used, ground_truth, node, kafka_partition, kafka_offset)
    select 't-' || i, now() - (i::double precision / $1::bigint * ${DAYS} * 86400) * interval '1 second' - interval '1 second',
           'u-' || (i * 7919 % 50000), round((5 + (i * 104729 % 900000) / 100.0)::numeric, 2), 'EUR',
           (array['DE','FR','GB','ES','IT','NL','US','BR','NG','PL','SE','CH'])[1 + i % 12], 'purchase',
           (array['electronics','travel','gambling','grocery','fashion','crypto','fuel','digital'])[1 + (i * 31) % 8],
           1 - power((i * 7919 % 10007) / 10007.0, 2), 0.98, (i * 7919 % 10007) < 200, 'user',
           (i * 7919 % 10007) < 150 or i % 211 = 0, 'node-' || (i % 3), i % 6, i
      from generate_series(1::bigint, $1::bigint) i`, [n]);
  await c.query("vacuum analyze transactions");
  await c.end();
  return (Date.now() - t0) / 1000;
}

async function countFrauds(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query("select count(*)::int as n from frauds")).rows[0].n;
  } finally {
    await c.end();
  }
}

async function main() {
  const admin = adminPgUrl();
  await assertReachable(admin);
  if (!baseUrl) {
    console.log(`building the dashboard if needed…`);
    ensureBuild();
  }
  const db = reuse ? { name: reuse, url: withDatabase(admin, reuse), drop: async () => {} } : await createScratchDb(admin, "rtad_dash_bench");
  let server;
  let browser;
  try {
    if (!reuse) {
      console.log(`loading ${rows.toLocaleString("en-US")} frauds into ${db.name}…`);
      const loadS = await load(db);
      console.log(`loaded in ${loadS.toFixed(1)} s`);
    }
    if (transactions > 0) {
      console.log(`loading ${transactions.toLocaleString("en-US")} transactions into ${db.name}…`);
      console.log(`loaded in ${(await loadTransactions(db, transactions)).toFixed(1)} s`);
    }
    server = baseUrl
      ? { url: baseUrl, log: () => "", stop: async () => {} }
      : await startServer({ RTAD_PG_URL: db.url, DATABASE_URL: undefined, RTAD_SERVICES_ENV: undefined, RTAD_DASHBOARD_TOKEN: undefined });
    const results = [];
    for (const [name, path] of PAGES) {
      const times = [];
      for (let i = 0; i <= RUNS; i++) {
        const t = performance.now();
        const res = await fetch(server.url + path);
        const body = await res.text();
        if (!res.ok || body.includes('data-error-kind')) throw new Error(`${path}: ${res.status}\n${server.log().slice(-2000)}`);
        if (i > 0) times.push(performance.now() - t); // the first run warms caches
      }
      results.push({ name, path, median: median(times), max: Math.max(...times) });
    }
    browser = await chromium.launch({ executablePath: process.env.RTAD_CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"] });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const browserResults = [];
    for (const path of ["/?window=24h", "/?window=30d", "/anomalies", "/anomalies?risk=high&location=DE", "/quality?window=7d", "/quality?window=30d"]) {
      const times = [];
      for (let i = 0; i <= 3; i++) {
        const t = performance.now();
        await page.goto(server.url + path, { waitUntil: "load" });
        if (i > 0) times.push(performance.now() - t);
      }
      browserResults.push({ path, median: median(times), max: Math.max(...times) });
    }
    console.log(`\n${(await countFrauds(db.url)).toLocaleString("en-US")} frauds over ${DAYS} days; ${RUNS} timed runs per page after one warm-up; load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}\n`);
    console.log("| page | URL | median ms | max ms |\n|---|---|---:|---:|");
    for (const r of results) console.log(`| ${r.name} | \`${r.path}\` | ${r.median.toFixed(0)} | ${r.max.toFixed(0)} |`);
    console.log("\nChromium navigation to the load event:\n\n| URL | median ms | max ms |\n|---|---:|---:|");
    for (const r of browserResults) console.log(`| \`${r.path}\` | ${r.median.toFixed(0)} | ${r.max.toFixed(0)} |`);
  } finally {
    await browser?.close();
    await server?.stop();
    if (keep || reuse) console.log(`kept ${db.url} (npm run bench:load -- --db ${db.name})`);
    else await db.drop();
  }
}

main().catch((e) => {
  console.error(e.message ?? e);
  process.exit(1);
});
