// Shared by the tests and the benchmark (plain JS so both can load it):
// where PostgreSQL is, and a scratch database with rtad's real migrations
// applied the way the rtad binary applies them (db/migrate.cpp).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../db/migrations");

function parseEnvFile(text) {
  const out = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const eq = line.indexOf("=");
    if (!line || line.startsWith("#") || eq <= 0) continue;
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim().replace(/^(['"])(.*)\1$/, "$2");
  }
  return out;
}

/** $RTAD_SERVICES_ENV, else the nearest .rtad/services.env above `start`; null when there is none. */
export function servicesEnvFile(env = process.env, start = process.cwd()) {
  if (env.RTAD_SERVICES_ENV) {
    if (!fs.existsSync(env.RTAD_SERVICES_ENV)) throw new Error(`RTAD_SERVICES_ENV names ${env.RTAD_SERVICES_ENV}, which does not exist: run scripts/services start`);
    return env.RTAD_SERVICES_ENV;
  }
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, ".rtad", "services.env");
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/** `key` from the services file, else from the environment; or a loud error naming where it looked. */
export function serviceSetting(key, env = process.env, start = process.cwd()) {
  const file = servicesEnvFile(env, start);
  if (file) {
    const value = parseEnvFile(fs.readFileSync(file, "utf8"))[key];
    if (!value) throw new Error(`${file} has no ${key}`);
    return value;
  }
  if (env[key]) return env[key];
  throw new Error(`No ${key} configured: set RTAD_SERVICES_ENV (scripts/test does), run scripts/services start, or set ${key}`);
}

/** The PostgreSQL server's URL, as the services file or $RTAD_PG_URL give it. */
export function adminPgUrl(env = process.env, start = process.cwd()) {
  return serviceSetting("RTAD_PG_URL", env, start);
}

/** Fails with the address and the driver's reason when PostgreSQL does not answer. */
export async function assertReachable(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
    await c.query("select 1");
  } catch (e) {
    throw new Error(`PostgreSQL at ${url} is unreachable (${e.message}): start it with scripts/services start`);
  } finally {
    await c.end().catch(() => {});
  }
}

export function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Applies NNN_*.sql in file-name order, each once, recorded in schema_migrations (version = leading number). */
export async function applyMigrations(url, dir = MIGRATIONS_DIR) {
  const files = fs.readdirSync(dir).filter((f) => /^\d+.*\.sql$/.test(f)).sort();
  if (!files.length) throw new Error(`no migrations in ${dir}`);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const applied = [];
  try {
    await c.query("create table if not exists schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())");
    for (const file of files) {
      const version = Number(/^\d+/.exec(file)[0]);
      await c.query("begin");
      try {
        if ((await c.query("select 1 from schema_migrations where version = $1", [version])).rowCount) {
          await c.query("rollback");
          continue;
        }
        await c.query(fs.readFileSync(path.join(dir, file), "utf8"));
        await c.query("insert into schema_migrations (version, name) values ($1, $2)", [version, file.replace(/\.sql$/, "")]);
        await c.query("commit");
        applied.push(file);
      } catch (e) {
        await c.query("rollback");
        throw new Error(`migration ${file} failed: ${e.message}`);
      }
    }
  } finally {
    await c.end();
  }
  return applied;
}

/** Creates <prefix>_<pid>_<n> beside the admin URL's database, migrated (from migrationsDir); drop() removes it. */
export async function createScratchDb(adminUrl, prefix = "rtad_dash_test", migrationsDir = MIGRATIONS_DIR) {
  const name = `${prefix}_${process.pid}_${Date.now() % 100000}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  await applyMigrations(url, migrationsDir);
  return {
    name,
    url,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
