// The PostgreSQL the tests use: $RTAD_SERVICES_ENV, else the nearest
// .rtad/services.env above the working directory, else $RTAD_PG_URL.
// Nothing found, or nothing answering, fails the run: these tests never skip.
import fs from "node:fs";
import pg from "pg";
import { findServicesEnv, parseEnvFile } from "../../lib/env";

export function adminPgUrl(): string {
  const file = findServicesEnv();
  if (file) {
    if (!fs.existsSync(file)) throw new Error(`RTAD_SERVICES_ENV names ${file}, which does not exist: run scripts/services start`);
    const url = parseEnvFile(fs.readFileSync(file, "utf8")).RTAD_PG_URL;
    if (!url) throw new Error(`${file} has no RTAD_PG_URL`);
    return url;
  }
  if (process.env.RTAD_PG_URL) return process.env.RTAD_PG_URL;
  throw new Error(
    "No PostgreSQL for the dashboard tests: set RTAD_SERVICES_ENV (scripts/test does), run scripts/services start, or set RTAD_PG_URL",
  );
}

/** Fails with the address and the driver's reason when PostgreSQL does not answer. */
export async function assertReachable(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
    await c.query("select 1");
  } catch (e) {
    throw new Error(`PostgreSQL at ${url} is unreachable (${(e as Error).message}): start it with scripts/services start`);
  } finally {
    await c.end().catch(() => {});
  }
}
