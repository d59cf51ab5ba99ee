// For the integration project: one scratch database with the real schema,
// one dashboard server with a token and one without (read-only), shared by
// every test file; everything is removed at the end.
import type { TestProject } from "vitest/node";
import { adminPgUrl, assertReachable, createScratchDb } from "../../scripts/lib/pg-setup.mjs";
import { ensureBuild, startServer } from "../../scripts/lib/server.mjs";

export const TEST_TOKEN = "rtad-test-token-0123456789";

declare module "vitest" {
  export interface ProvidedContext {
    adminUrl: string;
    dbUrl: string;
    appUrl: string;
    readOnlyUrl: string;
    token: string;
  }
}

export default async function setup(project: TestProject) {
  const adminUrl = adminPgUrl();
  await assertReachable(adminUrl);
  ensureBuild();
  const db = await createScratchDb(adminUrl);
  const servers: Awaited<ReturnType<typeof startServer>>[] = [];
  try {
    // DATABASE_URL and RTAD_SERVICES_ENV are dropped so nothing else can win over the scratch URL.
    const common = { RTAD_PG_URL: db.url, DATABASE_URL: undefined, RTAD_SERVICES_ENV: undefined };
    servers.push(await startServer({ ...common, RTAD_DASHBOARD_TOKEN: TEST_TOKEN }));
    servers.push(await startServer({ ...common, RTAD_DASHBOARD_TOKEN: undefined }));
  } catch (e) {
    await Promise.all(servers.map((s) => s.stop()));
    await db.drop();
    throw e;
  }
  project.provide("adminUrl", adminUrl);
  project.provide("dbUrl", db.url);
  project.provide("appUrl", servers[0].url);
  project.provide("readOnlyUrl", servers[1].url);
  project.provide("token", TEST_TOKEN);
  return async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db.drop();
  };
}
