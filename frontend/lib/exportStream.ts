// Streams every filtered anomaly as CSV or JSON through a server-side
// cursor: memory stays flat whatever the row count, and a client that goes
// away stops the query.
import type { PoolClient } from "pg";
import { connect } from "./db";
import { csvRow } from "./csv";
import { FRAUD_COLUMNS, type FraudRow } from "./domain";
import type { Sql } from "./anomalySql";

export const EXPORT_BATCH_ROWS = 1000;
export type ExportFormat = "csv" | "json";

/** A row as JSON: numeric stays exact as text would lose nothing, but amounts read better as numbers. */
function jsonRow(r: FraudRow): string {
  return JSON.stringify({
    ...r,
    amount: Number(r.amount),
    kafka_offset: r.kafka_offset === null ? null : Number(r.kafka_offset),
  });
}

export function formatRows(rows: FraudRow[], format: ExportFormat, first: boolean): string {
  if (format === "csv") return rows.map((r) => csvRow(FRAUD_COLUMNS.map((c) => r[c]))).join("");
  return rows.map((r, i) => `${first && i === 0 ? "" : ",\n"}${jsonRow(r)}`).join("");
}

export function exportStream(sql: Sql, format: ExportFormat): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let client: PoolClient | null = null;
  let first = true;
  const release = async (error?: unknown) => {
    const c = client;
    client = null;
    if (!c) return;
    try {
      await c.query("rollback");
    } catch {
      // the connection is gone; release destroys it below
    }
    c.release(error instanceof Error ? error : undefined);
  };
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      client = await connect();
      try {
        // A cursor lives inside a transaction; read-only, repeatable read so
        // the whole export is one consistent snapshot.
        await client.query("begin transaction isolation level repeatable read read only");
        await client.query(`declare export_rows no scroll cursor for ${sql.text}`, sql.values);
      } catch (e) {
        await release(e);
        throw e;
      }
      controller.enqueue(encoder.encode(format === "csv" ? csvRow(FRAUD_COLUMNS) : "[\n"));
    },
    async pull(controller) {
      if (!client) return;
      try {
        const { rows } = await client.query<FraudRow>(`fetch ${EXPORT_BATCH_ROWS} from export_rows`);
        if (rows.length) {
          controller.enqueue(encoder.encode(formatRows(rows, format, first)));
          first = false;
        }
        if (rows.length < EXPORT_BATCH_ROWS) {
          if (format === "json") controller.enqueue(encoder.encode("\n]\n"));
          await release();
          controller.close();
        }
      } catch (e) {
        await release(e);
        // An error mid-stream cannot change the status any more; the broken
        // stream makes the download fail visibly instead of looking complete.
        controller.error(e);
      }
    },
    async cancel() {
      await release();
    },
  });
}
