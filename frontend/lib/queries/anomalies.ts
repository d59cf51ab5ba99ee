// The Anomalies table: one page, its capped count, and the choices the
// filter form offers (read from the data, never made up).
import { query } from "../db";
import { COUNT_CAP, countSql, pageSql } from "../anomalySql";
import type { AnomalyQuery } from "../anomalyQuery";
import type { FraudRow } from "../domain";

export interface AnomalyPage {
  rows: FraudRow[];
  /** Matching rows, at most COUNT_CAP; `more` says there are more. */
  count: number;
  more: boolean;
}

export async function loadAnomalyPage(q: AnomalyQuery, now: Date): Promise<AnomalyPage> {
  const page = pageSql(q.filter, q.sort, q.dir, q.page, q.pageSize, now);
  const count = countSql(q.filter, now);
  const [rows, counted] = await Promise.all([query<FraudRow>(page.text, page.values), query<{ n: number }>(count.text, count.values)]);
  const n = counted[0].n;
  return { rows, count: Math.min(n, COUNT_CAP), more: n > COUNT_CAP };
}

// Distinct values of a column via a recursive "loose index scan": one index
// probe per distinct value instead of reading every row, so the filter's
// drop-downs stay fast on millions of frauds.
function distinctSql(column: "location" | "merchant_category"): string {
  return `with recursive d(v) as (
      (select ${column} from frauds where ${column} is not null order by ${column} limit 1)
      union all
      select (select ${column} from frauds where ${column} > d.v order by ${column} limit 1) from d where d.v is not null)
    select v from d where v is not null limit 500`;
}

export async function loadFilterChoices(): Promise<{ locations: string[]; categories: string[] }> {
  const [locations, categories] = await Promise.all([
    query<{ v: string }>(distinctSql("location")),
    query<{ v: string }>(distinctSql("merchant_category")),
  ]);
  return { locations: locations.map((r) => r.v), categories: categories.map((r) => r.v) };
}

export interface LabelRow {
  id: string;
  label: string;
  note: string | null;
  analyst: string | null;
  created_at: Date;
  applied_at: Date | null;
  applied_by: string | null;
}

export async function loadAnomaly(transactionId: string): Promise<{ row: FraudRow | null; labels: LabelRow[] }> {
  const [rows, labels] = await Promise.all([
    query<FraudRow>("select * from frauds where transaction_id = $1", [transactionId]),
    query<LabelRow>(
      `select id::text, label, note, analyst, created_at, applied_at, applied_by
         from labels where transaction_id = $1 order by created_at desc, id desc`,
      [transactionId],
    ),
  ]);
  return { row: rows[0] ?? null, labels };
}
