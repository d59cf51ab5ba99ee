// The whole way with real parts: labelled transactions from `rtad produce` go
// to the real Kafka broker, a real `rtad node` scores them and stores its
// anomalies in PostgreSQL, and a fraud produced after the Overview loaded
// shows in its live feed in Chromium without a reload. Own database, topic
// and dashboard server, all removed at the end. Needs build/apps/rtad and
// the services; fails (never skips) without them.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import type { Browser } from "playwright-core";
import { createScratchDb, type ScratchDb } from "../../scripts/lib/pg-setup.mjs";
import { ROOT, startServer } from "../../scripts/lib/server.mjs";
import { launchBrowser } from "../support/browser";
import { deleteTopic, kafkaBootstrap, kafkaJars, NodeProcess, requireBinary, rtad } from "../support/rtadNode";

// Enough history per user for the models to know them before the frauds come.
const USERS = 40;
const WARMUP_MESSAGES = 3200;
const LATER_MESSAGES = 800;
const FRAUD_SHARE = 0.03;
const NODE_NAME = "dash-e2e";
const STORE_TIMEOUT_MS = 90_000;
// Messages the node has stored, by the offsets it commits with them (rows of
// transactions are no measure: the stream spans weeks and the sink's
// retention drops the oldest days).
const COMMITTED = "select coalesce(sum(next_offset), 0)::int as n from kafka_offsets";

const topic = `rtad-dash-e2e-${process.pid}-${Date.now() % 100000}`;
let dir: string;
let db: ScratchDb | undefined;
let pool: pg.Pool | undefined;
let server: Awaited<ReturnType<typeof startServer>> | undefined;
let node: NodeProcess | undefined;
let browser: Browser | undefined;
let topicCreated = false;
let globalArgs: string[];
let later: { ids: string[]; frauds: string[] };

async function count(sql: string): Promise<number> {
  return (await pool!.query(sql)).rows[0].n;
}

/** Waits until `sql` returns at least `expected`, with the node's log on failure. */
async function waitFor(sql: string, expected: number): Promise<void> {
  const deadline = Date.now() + STORE_TIMEOUT_MS;
  let got = -1;
  while (Date.now() < deadline) {
    got = await count(sql);
    if (got >= expected) return;
    if (!node!.running()) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`\`${sql}\` reached ${got}, not ${expected}; node ${node!.running() ? "running" : "exited"}:\n${node!.log()}`);
}

function split(file: string, at: number) {
  const lines = fs.readFileSync(file, "utf8").trim().split("\n");
  fs.writeFileSync(path.join(dir, "warmup.jsonl"), lines.slice(0, at).join("\n") + "\n");
  fs.writeFileSync(path.join(dir, "later.jsonl"), lines.slice(at).join("\n") + "\n");
  const parsed = lines.slice(at).map((l) => JSON.parse(l) as { transaction_id: string; _anomalous?: boolean });
  return { ids: parsed.map((m) => m.transaction_id), frauds: parsed.filter((m) => m._anomalous).map((m) => m.transaction_id) };
}

beforeAll(async () => {
  requireBinary();
  kafkaJars(); // fail now, not after creating a topic that could not be deleted
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rtad-dash-e2e-"));
  db = await createScratchDb(inject("adminUrl"), "rtad_dash_e2e");
  pool = new pg.Pool({ connectionString: db.url });
  globalArgs = ["--set", `pg.url=${db.url}`, "--set", `kafka.bootstrap=${kafkaBootstrap()}`, "--set", `kafka.topic=${topic}`];
  // One stream, cut in two: the first part teaches the models, the second
  // (with its frauds) is sent once the page is open.
  const stream = path.join(dir, "stream.jsonl");
  rtad(["produce", "--out", stream, "--count", String(WARMUP_MESSAGES + LATER_MESSAGES), "--users", String(USERS),
    "--seed", "7", "--fraud", String(FRAUD_SHARE), "--quiet"]);
  later = split(stream, WARMUP_MESSAGES);
  expect(later.frauds.length).toBeGreaterThan(5);
  rtad([...globalArgs, "produce", "--replay", path.join(dir, "warmup.jsonl"), "--create-topic", "2", "--quiet"]);
  topicCreated = true;
  node = new NodeProcess(
    [...globalArgs, "--set", `kafka.group=${topic}-group`, "--set", "node.metrics_port=0", "--set", "node.admin_port=0",
      "--set", "sink.flush_interval_ms=50",
      // Scores are ranks among all users' recent transactions and the default
      // floor flags the top 0.2 %; this stream is 3 % fraud, so the top 0.2 %
      // can be earlier frauds alone. The floor is the share a team expects to review.
      "--set", "model.threshold_floor=0.95"],
    ["--name", NODE_NAME, "--mode", "enhanced"],
  );
  server = await startServer({ RTAD_PG_URL: db.url, DATABASE_URL: undefined, RTAD_SERVICES_ENV: undefined, RTAD_DASHBOARD_TOKEN: undefined });
  await waitFor(COMMITTED, WARMUP_MESSAGES);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  await server?.stop();
  await pool?.end();
  await db?.drop();
  if (topicCreated) deleteTopic(topic);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe("rtad node to the Overview", () => {
  it("shows a fraud produced after the page loaded in the live feed, without a reload", async () => {
    const page = await browser!.newPage();
    await page.goto(`${server!.url}/`);
    await page.locator('.feed-status[data-state="listening"]').waitFor({ timeout: 15_000 });
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    rtad([...globalArgs, "produce", "--replay", path.join(dir, "later.jsonl"), "--quiet"]);
    // The first labelled fraud of the later part that reaches the feed, with
    // its text read at once: the feed keeps only the newest rows, and a burst
    // of alerts can push it out right after.
    const shown = await page.waitForFunction(
      (ids) => {
        for (const id of ids) {
          const li = document.querySelector(`.feed-list li[data-transaction-id="${CSS.escape(id)}"]`);
          if (li) return { id, text: li.textContent ?? "" };
        }
        return false;
      },
      later.frauds,
      { timeout: STORE_TIMEOUT_MS },
    );
    const { id, text } = (await shown.jsonValue()) as { id: string; text: string };
    const { rows } = await pool!.query("select user_id, ground_truth, node from frauds where transaction_id = $1", [id]);
    expect(rows).toEqual([{ user_id: expect.any(String), ground_truth: true, node: NODE_NAME }]);
    expect(text).toContain(rows[0].user_id);
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    fs.mkdirSync(path.join(ROOT, "screenshots"), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, "screenshots", "overview-real-node.png"), fullPage: true });
    await page.close();
  }, 150_000);

  it("keeps the hourly rollup equal to what the node stored, and rtad db reset empties both", async () => {
    await waitFor(COMMITTED, WARMUP_MESSAGES + LATER_MESSAGES);
    const stored = await count("select count(*)::int as n from frauds");
    expect(stored).toBeGreaterThan(0);
    expect(await count("select coalesce(sum(n), 0)::int as n from frauds_hourly")).toBe(stored);
    expect(await count("select count(*)::int as n from frauds_hourly h where n <> (select count(*) from frauds where rtad_hour(detection_time) = h.hour and risk_level = h.risk_level and model_used = h.model_used and currency = h.currency and location = h.location)")).toBe(0);
    // The Quality page's summaries (migrations 004, 005) too, through the real sink.
    expect(await count(`select count(*)::int as n from (
      (select * from frauds_hourly_quality except all
       select rtad_hour(detection_time), rtad_score_bin(detection_score), count(*), count(*) filter (where is_confirmed_fraud),
              count(*) filter (where not is_confirmed_fraud), count(*) filter (where is_confirmed_fraud is null),
              count(*) filter (where ground_truth), count(*) filter (where not ground_truth)
         from frauds group by 1, 2)
      union all
      (select rtad_hour(timestamp), rtad_score_bin(score), count(*) filter (where is_anomaly), count(*) filter (where not is_anomaly),
              count(*) filter (where is_anomaly and ground_truth), count(*) filter (where is_anomaly and not ground_truth),
              count(*) filter (where not is_anomaly and ground_truth), count(*) filter (where not is_anomaly and not ground_truth)
         from transactions group by 1, 2
       except all select * from transactions_hourly_quality)) d`)).toBe(0);
    expect(await count("select coalesce(sum(n), 0)::int as n from frauds_hourly_quality")).toBe(stored);
    // sink.store_all is on by default: every scored transaction is stored.
    const scored = await count("select count(*)::int as n from transactions");
    expect(scored).toBeGreaterThan(stored);
    expect(await count("select coalesce(sum(flagged + passed), 0)::int as n from transactions_hourly_quality")).toBe(scored);
    expect(await node!.stop()).toBe(0);
    rtad(["--set", `pg.url=${db!.url}`, "db", "reset", "--yes"]);
    expect(await count("select count(*)::int as n from frauds")).toBe(0);
    expect(await count("select count(*)::int as n from frauds_hourly")).toBe(0);
    expect(await count("select count(*)::int as n from frauds_hourly_quality")).toBe(0);
    expect(await count("select count(*)::int as n from transactions_hourly_quality")).toBe(0);
  }, 150_000);
});
