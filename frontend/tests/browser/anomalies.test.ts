// The Anomalies page against real rows: every filter narrows the table to
// exactly the rows it should, sorting and paging follow the database, and
// both exports hold exactly the filtered rows.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../support/browser";
import { insertFrauds, truncateAll, type FraudInput } from "../support/fixtures";
import { parseCsv } from "../support/csvParse";
import { FRAUD_COLUMNS } from "../../lib/domain";

const app = inject("appUrl");
const now = Date.now();
const MIN = 60_000;
const RISKS = ["low", "medium", "high"] as const;
const MODELS = ["user", "global", "blend"] as const;
const SPECIAL_NAMES: Record<number, string> = {
  2: "Two\nlines",
  3: 'Café "Le Comptoir", Paris',
  8: "=SUM(A1)",
};

// 30 anomalies whose attributes vary independently, so each filter picks a
// different subset; f-00 is the newest.
const seed: (FraudInput & { i: number })[] = Array.from({ length: 30 }, (_, i) => ({
  i,
  transaction_id: `f-${String(i).padStart(2, "0")}`,
  user_id: i % 5 === 0 ? "alice" : `user-${i % 7}`,
  amount: 10 + ((i * 37) % 30) * 13.5,
  location: ["DE", "FR", "BR", "US"][i % 4],
  merchant_category: ["retail", "travel", "gambling"][i % 3],
  merchant_name: SPECIAL_NAMES[i] ?? `Merchant ${i}`,
  risk_level: RISKS[Math.floor(i / 2) % 3],
  model_used: MODELS[Math.floor(i / 3) % 3],
  detection_score: Number((0.5 + (i % 10) * 0.05).toFixed(2)),
  detection_time: new Date(now - i * 30 * MIN - MIN),
  is_confirmed_fraud: i % 6 === 1 ? true : i % 6 === 4 ? false : null,
}));

const ids = (pred: (r: (typeof seed)[number]) => boolean) => seed.filter(pred).map((r) => r.transaction_id).sort();

let browser: Browser;
let page: Page;
let db: pg.Pool;

beforeAll(async () => {
  db = new pg.Pool({ connectionString: inject("dbUrl") });
  await truncateAll(db);
  await insertFrauds(db, seed);
  browser = await launchBrowser();
  page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1440, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
  await db?.end();
});

async function tableIds(): Promise<string[]> {
  return page.locator("tbody tr[data-transaction-id]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-transaction-id")!));
}
async function idsAt(query: string): Promise<string[]> {
  await page.goto(`${app}/anomalies?size=200&${query}`);
  return (await tableIds()).sort();
}

describe("anomalies table filters", () => {
  it("shows every anomaly without a filter, newest first", async () => {
    await page.goto(`${app}/anomalies?size=200`);
    expect(await tableIds()).toEqual(seed.map((r) => r.transaction_id));
  });

  it("narrows by risk through the form", async () => {
    await page.goto(`${app}/anomalies?size=200`);
    await page.check('input[name="risk"][value="high"]');
    await Promise.all([page.waitForURL(/risk=high/), page.click('button:has-text("Apply")')]);
    expect((await tableIds()).sort()).toEqual(ids((r) => r.risk_level === "high"));
  });

  it("narrows by location and user through the form", async () => {
    await page.goto(`${app}/anomalies?size=200`);
    await page.selectOption('select[name="location"]', "BR");
    await Promise.all([page.waitForURL(/location=BR/), page.click('button:has-text("Apply")')]);
    expect((await tableIds()).sort()).toEqual(ids((r) => r.location === "BR"));
    await page.fill('input[name="user"]', "alice");
    await Promise.all([page.waitForURL(/user=alice/), page.click('button:has-text("Apply")')]);
    expect((await tableIds()).sort()).toEqual(ids((r) => r.location === "BR" && r.user_id === "alice"));
  });

  const cases: [string, string, (r: (typeof seed)[number]) => boolean][] = [
    ["model", "model=global", (r) => r.model_used === "global"],
    ["two models", "model=global&model=blend", (r) => r.model_used !== "user"],
    ["merchant category", "category=travel", (r) => r.merchant_category === "travel"],
    ["score range", "score_min=0.7&score_max=0.8", (r) => r.detection_score! >= 0.7 && r.detection_score! <= 0.8],
    ["label confirmed", "label=confirmed_fraud", (r) => r.is_confirmed_fraud === true],
    ["label false positive", "label=false_positive", (r) => r.is_confirmed_fraud === false],
    ["label open", "label=unlabelled", (r) => r.is_confirmed_fraud === null],
    ["preset range", "range=1h", (r) => r.detection_time!.getTime() >= now - 60 * MIN],
    [
      "explicit from/to",
      `from=${new Date(now - 5 * 60 * MIN).toISOString()}&to=${new Date(now - 2 * 60 * MIN).toISOString()}`,
      (r) => r.detection_time!.getTime() >= now - 5 * 60 * MIN && r.detection_time!.getTime() < now - 2 * 60 * MIN,
    ],
    ["risk, model and location together", "risk=high&model=user&location=DE", (r) => r.risk_level === "high" && r.model_used === "user" && r.location === "DE"],
  ];
  for (const [name, query, pred] of cases) {
    it(`narrows by ${name}`, async () => {
      const expected = ids(pred);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(seed.length);
      expect(await idsAt(query)).toEqual(expected);
    });
  }

  it("says so when nothing matches", async () => {
    await page.goto(`${app}/anomalies?user=nobody`);
    expect(await page.locator(".state-empty h2").textContent()).toBe("No anomaly matches these filters");
  });

  it("reports a filter value it could not use", async () => {
    await page.goto(`${app}/anomalies?risk=extreme`);
    expect(await page.locator(".notice").textContent()).toContain("risk 'extreme' is not low, medium or high");
  });
});

describe("anomalies sorting and paging", () => {
  it("sorts by amount over all rows", async () => {
    await page.goto(`${app}/anomalies?size=200`);
    await page.click('a[data-sort="amount"]');
    await page.waitForURL(/sort=amount/);
    const byAmountDesc = [...seed].sort((a, b) => b.amount! - a.amount! || b.transaction_id.localeCompare(a.transaction_id)).map((r) => r.transaction_id);
    expect(await tableIds()).toEqual(byAmountDesc);
    await page.click('a[data-sort="amount"]');
    await page.waitForURL(/dir=asc/);
    expect(await tableIds()).toEqual([...byAmountDesc].reverse());
  });

  it("pages through the rows without overlap", async () => {
    await page.goto(`${app}/anomalies?size=25`);
    const first = await tableIds();
    expect(first).toEqual(seed.slice(0, 25).map((r) => r.transaction_id));
    await page.click('a[rel="next"]');
    await page.waitForURL(/page=2/);
    expect(await tableIds()).toEqual(seed.slice(25).map((r) => r.transaction_id));
    expect(await page.locator('[data-testid="row-range"]').first().textContent()).toBe("Rows 26–30 of 30");
  });
});

describe("export", () => {
  const filter = "risk=medium&label=unlabelled";
  const expected = ids((r) => r.risk_level === "medium" && r.is_confirmed_fraud === null);

  it("CSV holds exactly the filtered rows, properly escaped", async () => {
    await page.goto(`${app}/anomalies?${filter}`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="export-csv"]')]);
    const rows = parseCsv(fs.readFileSync((await download.path())!, "utf8"));
    expect(rows[0]).toEqual([...FRAUD_COLUMNS]);
    const col = (name: string) => rows[0].indexOf(name);
    const body = rows.slice(1);
    expect(body.map((r) => r[col("transaction_id")]).sort()).toEqual(expected);
    const byId = new Map(body.map((r) => [r[col("transaction_id")], r]));
    for (const r of seed.filter((s) => expected.includes(s.transaction_id))) {
      expect(Number(byId.get(r.transaction_id)![col("amount")])).toBe(r.amount);
      expect(new Date(byId.get(r.transaction_id)![col("detection_time")]).getTime()).toBe(r.detection_time!.getTime());
    }
    // The rows with a comma, quotes, a newline and a formula are among them.
    expect(byId.get("f-03")![col("merchant_name")]).toBe('Café "Le Comptoir", Paris');
    expect(byId.get("f-02")![col("merchant_name")]).toBe("Two\nlines");
    expect(byId.get("f-08")![col("merchant_name")]).toBe("'=SUM(A1)");
  });

  it("JSON holds exactly the filtered rows", async () => {
    await page.goto(`${app}/anomalies?${filter}`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="export-json"]')]);
    const rows = JSON.parse(fs.readFileSync((await download.path())!, "utf8")) as Record<string, unknown>[];
    expect(rows.map((r) => r.transaction_id).sort()).toEqual(expected);
    const f03 = rows.find((r) => r.transaction_id === "f-03")!;
    expect(f03.merchant_name).toBe('Café "Le Comptoir", Paris');
    expect(f03.amount).toBe(seed[3].amount);
    expect(Object.keys(f03)).toEqual([...FRAUD_COLUMNS]);
  });

  it("refuses an export with a filter it cannot apply", async () => {
    const res = await fetch(`${app}/api/anomalies/export?format=csv&risk=extreme`);
    expect(res.status).toBe(400);
    expect((await res.json()).problems[0]).toContain("risk 'extreme'");
  });
});
