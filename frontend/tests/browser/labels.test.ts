// Analyst feedback: a label made in the browser reaches `labels` (and
// through the trigger, frauds); a request without the token writes nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import pg from "pg";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../support/browser";
import { insertFrauds, truncateAll } from "../support/fixtures";

const app = inject("appUrl");
const readOnly = inject("readOnlyUrl");
const token = inject("token");

let browser: Browser;
let db: pg.Pool;

async function labelCount(): Promise<number> {
  return (await db.query("select count(*)::int as n from labels")).rows[0].n;
}

function postLabel(base: string, headers: Record<string, string>, body: object = { transaction_id: "lab-1", label: "confirmed_fraud" }) {
  return fetch(`${base}/api/labels`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

beforeAll(async () => {
  db = new pg.Pool({ connectionString: inject("dbUrl") });
  browser = await launchBrowser();
});
beforeEach(async () => {
  await truncateAll(db);
  await insertFrauds(db, [
    { transaction_id: "lab-1", user_id: "bob", risk_level: "high", explanation: "amount 4,830.00 vs usual 12-180" },
    { transaction_id: "lab-2", user_id: "bob", risk_level: "medium" },
  ]);
});
afterAll(async () => {
  await browser?.close();
  await db?.end();
});

describe("labelling in the browser", () => {
  it("stores a confirmed fraud with its note and analyst, and frauds shows it", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app}/anomalies/lab-1`);
    await page.click('.panel a:has-text("Sign in")');
    await page.fill('input[name="analyst"]', "Dana Analyst");
    await page.fill('input[name="token"]', token);
    await Promise.all([page.waitForURL(/\/anomalies\/lab-1$/), page.click('button:has-text("Sign in")')]);
    expect(await page.locator('[data-testid="analyst"]').textContent()).toBe("Dana Analyst");

    await page.fill('textarea[name="note"]', "Card holder confirmed by phone");
    await page.click('button:has-text("Confirm fraud")');
    await page.locator('[role="status"]:has-text("Saved as confirmed fraud")').waitFor();

    const { rows } = await db.query("select transaction_id, user_id, label, note, analyst from labels");
    expect(rows).toEqual([{ transaction_id: "lab-1", user_id: "bob", label: "confirmed_fraud", note: "Card holder confirmed by phone", analyst: "Dana Analyst" }]);
    const fraud = await db.query("select is_confirmed_fraud, notes from frauds where transaction_id = 'lab-1'");
    expect(fraud.rows[0]).toEqual({ is_confirmed_fraud: true, notes: "Card holder confirmed by phone" });
    // The page refreshed itself to show the new state and history.
    await page.locator(".label-history li:has-text('Dana Analyst')").waitFor();
    await context.close();
  });

  it("labels a false positive from the user page", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app}/signin?next=/users/bob`);
    await page.fill('input[name="analyst"]', "Eve");
    await page.fill('input[name="token"]', token);
    await Promise.all([page.waitForURL(/\/users\/bob$/), page.click('button:has-text("Sign in")')]);
    const item = page.locator('.user-anomalies li[data-transaction-id="lab-2"]');
    await item.locator('button:has-text("False positive")').click();
    await item.locator('[role="status"]:has-text("Saved as false positive")').waitFor();
    const { rows } = await db.query("select transaction_id, label, analyst from labels");
    expect(rows).toEqual([{ transaction_id: "lab-2", label: "false_positive", analyst: "Eve" }]);
    await context.close();
  });

  it("rejects a wrong token at sign-in and offers no session", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app}/signin`);
    await page.fill('input[name="analyst"]', "Mallory");
    await page.fill('input[name="token"]', "not-the-token-at-all");
    await Promise.all([page.waitForURL(/error=/), page.click('button:has-text("Sign in")')]);
    expect(await page.locator(".notice").textContent()).toContain("not the dashboard's token");
    expect((await context.cookies()).filter((c) => c.name === "rtad_session")).toEqual([]);
    await context.close();
  });
});

describe("labelling without the token", () => {
  it("refuses a request with no credentials (401) and writes nothing", async () => {
    const res = await postLabel(app, {});
    expect(res.status).toBe(401);
    expect(await labelCount()).toBe(0);
  });

  it("refuses a wrong bearer token and a forged session cookie (403)", async () => {
    expect((await postLabel(app, { authorization: "Bearer wrong-token-123456" })).status).toBe(403);
    const forged = `${Buffer.from("Mallory").toString("base64url")}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
    expect((await postLabel(app, { cookie: `rtad_session=${forged}` })).status).toBe(403);
    expect(await labelCount()).toBe(0);
    const fraud = await db.query("select is_confirmed_fraud from frauds where transaction_id = 'lab-1'");
    expect(fraud.rows[0].is_confirmed_fraud).toBeNull();
  });

  it("refuses from a browser page that never signed in, and shows no label buttons", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app}/anomalies/lab-1`);
    expect(await page.locator('button:has-text("Confirm fraud")').count()).toBe(0);
    const status = await page.evaluate(async () =>
      (await fetch("/api/labels", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ transaction_id: "lab-1", label: "false_positive" }) })).status,
    );
    expect(status).toBe(401);
    expect(await labelCount()).toBe(0);
    await context.close();
  });

  it("accepts the right bearer token (the refusals above are not an outage)", async () => {
    const res = await postLabel(app, { authorization: `Bearer ${token}`, "x-rtad-analyst": "script" });
    expect(res.status).toBe(201);
    expect((await db.query("select analyst, label from labels")).rows).toEqual([{ analyst: "script", label: "confirmed_fraud" }]);
  });

  it("answers 404 for an unknown anomaly and writes nothing", async () => {
    const res = await postLabel(app, { authorization: `Bearer ${token}` }, { transaction_id: "nope", label: "false_positive" });
    expect(res.status).toBe(404);
    expect(await labelCount()).toBe(0);
  });

  it("is read-only when the server has no token: even the right token is refused", async () => {
    const res = await postLabel(readOnly, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(403);
    expect((await res.json()).error).toContain("RTAD_DASHBOARD_TOKEN is not set");
    expect(await labelCount()).toBe(0);
    const page = await browser.newPage();
    await page.goto(`${readOnly}/anomalies/lab-1`);
    expect(await page.locator('[data-testid="label-readonly"]').textContent()).toContain("Read-only");
    expect(await page.locator(".topbar .session.readonly").textContent()).toBe("Read-only");
    await page.close();
  });
});
