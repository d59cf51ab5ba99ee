// A database of its own for a test run, with the real migrations applied the
// way the rtad binary applies them (db/migrate.cpp), dropped afterwards.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";

export const MIGRATIONS_DIR = path.resolve(__dirname, "../../../db/migrations");

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Applies db/migrations/NNN_*.sql in file-name order, each once, recorded in schema_migrations. */
export async function applyMigrations(url: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = fs.readdirSync(dir).filter((f) => /^\d+.*\.sql$/.test(f)).sort();
  if (!files.length) throw new Error(`no migrations in ${dir}`);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const applied: string[] = [];
  try {
    await c.query(
      "create table if not exists schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())",
    );
    for (const file of files) {
      const version = Number(/^\d+/.exec(file)![0]);
      const name = file.replace(/\.sql$/, "");
      await c.query("begin");
      try {
        const done = await c.query("select 1 from schema_migrations where version = $1", [version]);
        if (done.rowCount) {
          await c.query("rollback");
          continue;
        }
        await c.query(fs.readFileSync(path.join(dir, file), "utf8"));
        await c.query("insert into schema_migrations (version, name) values ($1, $2)", [version, name]);
        await c.query("commit");
        applied.push(name);
      } catch (e) {
        await c.query("rollback");
        throw new Error(`migration ${file} failed: ${(e as Error).message}`);
      }
    }
  } finally {
    await c.end();
  }
  return applied;
}

export interface ScratchDb {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates rtad_dash_test_<pid>_<n> next to the admin URL's database, migrated. */
export async function createScratchDb(adminUrl: string, prefix = "rtad_dash_test"): Promise<ScratchDb> {
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
  await applyMigrations(url);
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
