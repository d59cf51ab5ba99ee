// With PostgreSQL away, every page says so and what to do, and the API
// answers with a status, not a hang.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../support/browser";
import { freePort, ROOT, startServer, type RunningServer } from "../../scripts/lib/server.mjs";

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  // A port nothing listens on: connection refused, as when PostgreSQL is stopped.
  const deadPort = await freePort();
  server = await startServer({ RTAD_PG_URL: `postgresql://rtad@127.0.0.1:${deadPort}/rtad`, RTAD_DASHBOARD_TOKEN: "rtad-test-token-0123456789" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("database down", () => {
  for (const route of ["/", "/anomalies", "/cluster", "/quality", "/users/u-1", "/anomalies/tx-1"]) {
    it(`${route} explains that PostgreSQL is unreachable`, async () => {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(`${server.url}${route}`);
      const alert = page.locator('[role="alert"][data-error-kind="unreachable"]');
      expect(await alert.locator("h2").textContent()).toBe("Database unreachable");
      expect(await alert.textContent()).toContain("scripts/services start");
      if (route === "/") await page.screenshot({ path: path.join(ROOT, "screenshots", "database-down.png"), fullPage: true });
      await page.close();
    });
  }

  it("the export answers 503 with the reason", async () => {
    const res = await fetch(`${server.url}/api/anomalies/export?format=csv`);
    expect(res.status).toBe(503);
    expect((await res.json()).error).toContain("unreachable");
  });

  it("a label answers 503 and says why", async () => {
    const res = await fetch(`${server.url}/api/labels`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer rtad-test-token-0123456789" },
      body: JSON.stringify({ transaction_id: "tx-1", label: "false_positive" }),
    });
    expect(res.status).toBe(503);
  });
});
