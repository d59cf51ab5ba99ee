// Every page against a day of plausible rows: the figures shown are the
// database's, stale nodes are marked, and each page is photographed into
// screenshots/ (ignored by git) for a person to look at.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../support/browser";
import { truncateAll } from "../support/fixtures";
import { KNOWN_USER, seedRich } from "../support/richData";
import { ROOT } from "../../scripts/lib/server.mjs";

const app = inject("appUrl");
const SHOTS = path.join(ROOT, "screenshots");

let browser: Browser;
let page: Page;
let db: pg.Pool;

async function shot(name: string, p: Page = page) {
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  db = new pg.Pool({ connectionString: inject("dbUrl") });
  await truncateAll(db);
  await seedRich(db);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
  await db?.end();
});

const text = async (selector: string) => (await page.locator(selector).first().textContent())?.trim();
const stat = (label: string) => text(`.stat:has(.stat-label:text-is("${label}")) .stat-value`);

describe("overview", () => {
  it("shows the window's counts, the breakdowns and each node's health", async () => {
    await page.goto(`${app}/?window=24h`);
    const counts = (
      await db.query(
        `select count(*)::int as total, count(*) filter (where risk_level = 'high')::int as high,
                count(*) filter (where is_confirmed_fraud is null)::int as open
           from frauds where detection_time >= now() - interval '24 hours'`,
      )
    ).rows[0];
    expect(await stat("Flagged")).toBe(counts.total.toLocaleString("en-US"));
    expect(await stat("High risk")).toBe(counts.high.toLocaleString("en-US"));
    expect(await stat("To review")).toBe(counts.open.toLocaleString("en-US"));
    // 1834.5 + 1790.2 from the two live nodes; node-c is stale and not counted.
    expect(await stat("Transactions / s")).toBe("3,624.7");
    expect(await page.locator('.node-list li[data-health="stale"]').textContent()).toContain("node-c");
    expect(await page.locator('.node-list li[data-health="ok"]').count()).toBe(2);
    expect(await page.locator('svg[aria-label="Anomalies over time"] .axis-label').allTextContents()).toEqual([
      "anomalies per hour",
      "detection time (UTC)",
    ]);
    expect(await page.locator('svg[aria-label="Flagged amount by location"] text.category').count()).toBeGreaterThan(3);
    await shot("overview");
  });

  it("fits a laptop screen", async () => {
    const laptop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await laptop.goto(`${app}/`);
    // Nothing sticks out sideways: the page is as wide as the window.
    expect(await laptop.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
    await laptop.screenshot({ path: path.join(SHOTS, "overview-laptop.png") });
    await laptop.close();
  });
});

describe("anomalies and detail", () => {
  it("lists anomalies with a count of all matches", async () => {
    await page.goto(`${app}/anomalies?risk=high`);
    const n = (await db.query("select count(*)::int as n from frauds where risk_level = 'high'")).rows[0].n;
    expect(await text('[data-testid="row-range"]')).toBe(`Rows 1–50 of ${n}`);
    await shot("anomalies");
  });

  it("shows one anomaly with its explanation and label history", async () => {
    await page.goto(`${app}/anomalies/tx-000011`);
    expect(await text(".explanation")).toContain("vs usual 12-180");
    expect(await page.locator(".label-history li").count()).toBe(1);
    expect(await text(".label-history li")).toContain("Confirmed fraud by dana");
    await shot("anomaly");
  });
});

describe("user", () => {
  it("shows the profile, the score timeline and recent transactions", async () => {
    await page.goto(`${app}/users/${KNOWN_USER}`);
    expect(await text('.field:has(dt:text-is("Trees")) dd')).toBe("100");
    expect(await text('.field:has(dt:text-is("Window size")) dd')).toBe("256 transactions");
    expect(await text('.field:has(dt:text-is("Amount range")) dd')).toBe("12.00 – 180.00 EUR (median 46.50)");
    const stored = (await db.query("select count(*)::int as n, count(*) filter (where is_anomaly)::int as flagged from transactions where user_id = $1", [KNOWN_USER])).rows[0];
    expect(await page.locator("svg[aria-label^='Scores of user'] circle").count()).toBe(stored.n);
    expect(await page.locator("svg[aria-label^='Scores of user'] circle.flagged").count()).toBe(stored.flagged);
    expect(await page.locator("svg[aria-label^='Scores of user'] path.threshold-line").count()).toBe(1);
    expect(await page.locator('table[aria-label="Recent transactions"] tbody tr').count()).toBe(25);
    expect(await page.locator(".user-anomalies > li").count()).toBe(10);
    await shot("user");
  });

  it("says when nothing is known about a user", async () => {
    await page.goto(`${app}/users/no-such-user`);
    expect(await text(".state-empty h2")).toBe("Nothing known about user no-such-user");
  });
});

describe("cluster", () => {
  it("lists every node, marks the silent one, and shows partitions", async () => {
    await page.goto(`${app}/cluster`);
    expect(await page.locator('table[aria-label="Nodes"] tbody tr').count()).toBe(3);
    expect(await page.locator('tr[data-node="node-c"]').getAttribute("data-health")).toBe("stale");
    expect(await text('tr[data-node="node-a"] td:nth-child(6)')).toBe("0, 1, 2");
    expect(await page.locator('table[aria-label="Partitions"] tbody tr').count()).toBe(6);
    expect(await stat("Nodes live")).toBe("2 / 3");
    await shot("cluster");
  });
});

describe("quality", () => {
  it("computes precision from labels and precision/recall from ground truth", async () => {
    await page.goto(`${app}/quality?window=7d`);
    const l = (await db.query(
      `select count(*) filter (where is_confirmed_fraud)::int as c, count(*) filter (where not is_confirmed_fraud)::int as f
         from frauds where detection_time >= now() - interval '7 days'`,
    )).rows[0];
    expect(await stat("Precision (labels)")).toBe(`${((l.c / (l.c + l.f)) * 100).toFixed(1)} %`);
    const t = (await db.query(
      `select count(*) filter (where is_anomaly and ground_truth)::int as tp, count(*) filter (where is_anomaly and not ground_truth)::int as fp,
              count(*) filter (where not is_anomaly and ground_truth)::int as fn
         from transactions where timestamp >= now() - interval '7 days' and ground_truth is not null`,
    )).rows[0];
    expect(await stat("Precision (ground truth)")).toBe(`${((t.tp / (t.tp + t.fp)) * 100).toFixed(1)} %`);
    expect(await stat("Recall (ground truth)")).toBe(`${((t.tp / (t.tp + t.fn)) * 100).toFixed(1)} %`);
    expect(await page.locator('svg[aria-label="Score histogram"] .axis-label').allTextContents()).toEqual(["transactions", "anomaly score (bins of 0.05)"]);
    await shot("quality");
  });
});

describe("sign-in", () => {
  it("asks for a name and the token", async () => {
    await page.goto(`${app}/signin`);
    expect(await page.locator('form.signin input[name="token"]').getAttribute("type")).toBe("password");
    await shot("signin");
  });
});

describe("empty database", () => {
  it("says there is no data yet instead of showing zeros as facts", async () => {
    await truncateAll(db);
    await page.goto(`${app}/`);
    expect(await text(".empty-chart")).toBe("No anomalies stored yet: frauds is empty.");
    expect(await text(".node-list, .panel:has(h2:text-is('Nodes')) p.muted")).toContain("No node has reported yet");
    await shot("overview-empty");
    await page.goto(`${app}/anomalies`);
    expect(await text(".state-empty h2")).toBe("No anomalies yet");
    await page.goto(`${app}/cluster`);
    expect(await text(".state-empty h2")).toBe("No node has reported yet");
  });
});
