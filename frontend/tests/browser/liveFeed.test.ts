// The Overview's live feed: a committed anomaly shows without reload, and
// every tab shares the server's one LISTEN connection.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../support/browser";
import { insertFrauds, truncateAll } from "../support/fixtures";

let browser: Browser;
let db: pg.Pool;
const app = inject("appUrl");

beforeAll(async () => {
  browser = await launchBrowser();
  db = new pg.Pool({ connectionString: inject("dbUrl") });
  await truncateAll(db);
});
afterAll(async () => {
  await browser?.close();
  await db?.end();
});

describe("live feed", () => {
  it("shows an anomaly inserted after the page loaded, without a reload", async () => {
    const page = await browser.newPage();
    await page.goto(`${app}/`);
    await page.locator('.feed-status[data-state="listening"]').waitFor({ timeout: 15_000 });
    // A reload would drop this marker.
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    await insertFrauds(db, [{ transaction_id: "live-tx-1", user_id: "live-user", amount: 4830, location: "BR", risk_level: "high", detection_score: 0.91 }]);
    const item = page.locator('.feed-list li[data-transaction-id="live-tx-1"]');
    await item.waitFor({ timeout: 10_000 });
    expect(await item.textContent()).toContain("4,830.00 EUR");
    expect(await item.textContent()).toContain("live-user");
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await page.close();
  });

  it("uses one LISTEN connection for many tabs", async () => {
    const pages = await Promise.all([browser.newPage(), browser.newPage(), browser.newPage()]);
    for (const p of pages) {
      await p.goto(`${app}/`);
      await p.locator('.feed-status[data-state="listening"]').waitFor({ timeout: 15_000 });
    }
    const { rows } = await db.query(
      "select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'rtad-dashboard-live'",
    );
    expect(rows[0].n).toBe(1);
    // And all three tabs get the same event from it.
    await insertFrauds(db, [{ transaction_id: "live-tx-2", risk_level: "low" }]);
    for (const p of pages) await p.locator('.feed-list li[data-transaction-id="live-tx-2"]').waitFor({ timeout: 10_000 });
    await Promise.all(pages.map((p) => p.close()));
  });
});
