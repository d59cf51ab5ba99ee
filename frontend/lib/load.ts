// Pages load their data through this so a database problem becomes an
// explained error state instead of Next's generic error page.
import { describeDbError, type DatabaseError } from "./db";

export type Loaded<T> = { ok: true; data: T } | { ok: false; error: DatabaseError };

export async function load<T>(fn: () => Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (e) {
    const error = describeDbError(e);
    console.error(`[rtad-dashboard] ${error.kind}: ${error.message}`);
    return { ok: false, error };
  }
}
