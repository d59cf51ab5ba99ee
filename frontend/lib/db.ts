// One pool per server process. Pages fail fast and say why when PostgreSQL
// is away, instead of hanging until the browser gives up.
import { Pool, type PoolClient, type QueryResultRow } from "pg";
import { redactUrl, resolvePgUrl } from "./env";

const CONNECT_TIMEOUT_MS = 3000;
// A dashboard query slower than this is a bug (missing index) — stop it
// rather than pile up work on a busy database.
const STATEMENT_TIMEOUT_MS = 15000;
const POOL_MAX_CONNECTIONS = 8;

/** An error a person can act on: what is wrong and what to do. */
export class DatabaseError extends Error {
  constructor(
    readonly kind: "not_configured" | "unreachable" | "no_schema" | "query_failed",
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = "DatabaseError";
  }
}

const globalKey = Symbol.for("rtad.dashboard.pool");
type Holder = { [globalKey]?: { pool: Pool; url: string } };

/** Pool for the configured database; created on first use. */
export function pool(): Pool {
  const source = resolvePgUrl();
  if (!source) {
    throw new DatabaseError(
      "not_configured",
      "No database configured.",
      "Set RTAD_PG_URL (or DATABASE_URL), or run scripts/services start so .rtad/services.env exists.",
    );
  }
  const holder = globalThis as Holder;
  if (holder[globalKey]?.url === source.url) return holder[globalKey]!.pool;
  const p = new Pool({
    connectionString: source.url,
    max: POOL_MAX_CONNECTIONS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    application_name: "rtad-dashboard",
  });
  // An idle client losing its server must not crash the process.
  p.on("error", () => {});
  holder[globalKey] = { pool: p, url: source.url };
  return p;
}

/** Turns a driver error into a DatabaseError with a hint. */
export function describeDbError(e: unknown): DatabaseError {
  if (e instanceof DatabaseError) return e;
  const err = e as { code?: string; message?: string };
  const where = (() => {
    const s = resolvePgUrl();
    return s ? `${redactUrl(s.url)} (from ${s.origin})` : "the configured database";
  })();
  const unreachable = ["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "57P01", "57P03", "3D000", "28P01", "28000"];
  if ((err.code && unreachable.includes(err.code)) || /timeout|terminat|connect/i.test(err.message ?? "")) {
    return new DatabaseError(
      "unreachable",
      `PostgreSQL is unreachable at ${where}: ${err.message ?? err.code}`,
      "Start it (scripts/services start) or point RTAD_PG_URL at a running server.",
    );
  }
  if (err.code === "42P01" || err.code === "42883" || err.code === "42703") {
    return new DatabaseError(
      "no_schema",
      `The rtad schema is missing or outdated in ${where}: ${err.message}`,
      "Apply the migrations with `rtad db init` (a node also applies them at start).",
    );
  }
  return new DatabaseError("query_failed", `A dashboard query failed: ${err.message ?? String(e)}`, "See the server log for the query.");
}

/** Runs one parameterised query; errors come back as DatabaseError. */
export async function query<R extends QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  try {
    const result = await pool().query<R>(text, values);
    return result.rows;
  } catch (e) {
    throw describeDbError(e);
  }
}

/** A dedicated client for work that spans statements (cursors, transactions). */
export async function connect(): Promise<PoolClient> {
  try {
    return await pool().connect();
  } catch (e) {
    throw describeDbError(e);
  }
}
