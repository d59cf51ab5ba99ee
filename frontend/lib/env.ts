// Where the dashboard finds PostgreSQL. Same layering as the rtad binary:
// explicit environment first, then the services.env written by
// `scripts/services start`. Credentials never live in the dashboard's files.
import fs from "node:fs";
import path from "node:path";

/** The environment variables read here (a plain map, so tests can pass their own). */
export type Env = Record<string, string | undefined>;

export const SERVICES_ENV_RELATIVE = path.join(".rtad", "services.env");

/** Parses KEY=VALUE lines; blank lines and # comments are ignored. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
      value = value.slice(1, -1);
    }
    out[line.slice(0, eq).trim()] = value;
  }
  return out;
}

/** The services.env to read: $RTAD_SERVICES_ENV, else the nearest .rtad/services.env above `start`. */
export function findServicesEnv(env: Env = process.env, start = process.cwd()): string | null {
  if (env.RTAD_SERVICES_ENV) return env.RTAD_SERVICES_ENV;
  let dir = path.resolve(/*turbopackIgnore: true*/ start);
  for (;;) {
    const candidate = path.join(dir, SERVICES_ENV_RELATIVE);
    if (fs.existsSync(/*turbopackIgnore: true*/ candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export interface PgSource {
  url: string;
  /** Where the URL came from, for error messages ("environment RTAD_PG_URL"). */
  origin: string;
}

/** The PostgreSQL URL in effect, or null when nothing configures one. */
export function resolvePgUrl(env: Env = process.env, start = process.cwd()): PgSource | null {
  if (env.RTAD_PG_URL) return { url: env.RTAD_PG_URL, origin: "environment RTAD_PG_URL" };
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, origin: "environment DATABASE_URL" };
  const file = findServicesEnv(env, start);
  if (!file) return null;
  let text: string;
  try {
    text = fs.readFileSync(/*turbopackIgnore: true*/ file, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
  const url = parseEnvFile(text).RTAD_PG_URL;
  return url ? { url, origin: file } : null;
}

/** Hides a password in a URL so it can be shown in an error message. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}
