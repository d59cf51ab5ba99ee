// SQL for the Anomalies page and its export, built from a validated filter.
// Values always travel as parameters; only whitelisted column names and
// fixed keywords are ever spliced into the text.
import { FRAUD_COLUMNS } from "./domain";
import { TIME_RANGES, type AnomalyFilter, type SortKey } from "./anomalyQuery";

export interface Sql {
  text: string;
  values: unknown[];
}

/** The table's answer is capped: counting past this on millions of rows costs more than it tells. */
export const COUNT_CAP = 10_000;

const SORT_COLUMN: Record<SortKey, string> = {
  detected: "detection_time",
  score: "detection_score",
  amount: "amount",
  user: "user_id",
  location: "location",
};

/** `where …` for the filter (empty when nothing filters), numbering parameters from $1. */
export function whereClause(f: AnomalyFilter, now: Date = new Date()): Sql {
  const conds: string[] = [];
  const values: unknown[] = [];
  const param = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  // One value is written as `=`, not `= any(...)`: PostgreSQL 15 then walks
  // the (column, detection_time desc) index in order and stops at the limit.
  const oneOf = (column: string, list: readonly string[]) => {
    if (list.length === 1) conds.push(`${column} = ${param(list[0])}`);
    else if (list.length > 1) conds.push(`${column} = any(${param([...list])}::text[])`);
  };

  const from = f.range ? new Date(now.getTime() - TIME_RANGES[f.range] * 1000) : null;
  // An explicit from/to narrows a preset further rather than fighting it.
  const lower = [from, f.from].filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0];
  if (lower) conds.push(`detection_time >= ${param(lower)}`);
  if (f.to) conds.push(`detection_time < ${param(f.to)}`);
  oneOf("location", f.locations);
  oneOf("risk_level", f.risks);
  if (f.scoreMin !== null) conds.push(`detection_score >= ${param(f.scoreMin)}`);
  if (f.scoreMax !== null) conds.push(`detection_score <= ${param(f.scoreMax)}`);
  if (f.user) conds.push(`user_id = ${param(f.user)}`);
  oneOf("merchant_category", f.categories);
  oneOf("model_used", f.models);
  switch (f.label) {
    case "unlabelled": conds.push("is_confirmed_fraud is null"); break;
    case "labelled": conds.push("is_confirmed_fraud is not null"); break;
    case "confirmed_fraud": conds.push("is_confirmed_fraud = true"); break;
    case "false_positive": conds.push("is_confirmed_fraud = false"); break;
    case null: break;
  }
  return { text: conds.length ? `where ${conds.join(" and ")}` : "", values };
}

/** `order by …` with transaction_id as tie-breaker, so pages never overlap. */
export function orderClause(sort: SortKey, dir: "asc" | "desc"): string {
  const d = dir === "asc" ? "asc" : "desc";
  return `order by ${SORT_COLUMN[sort]} ${d}, transaction_id ${d}`;
}

const SELECT_COLUMNS = FRAUD_COLUMNS.join(", ");

/** One page of filtered rows. */
export function pageSql(f: AnomalyFilter, sort: SortKey, dir: "asc" | "desc", page: number, pageSize: number, now?: Date): Sql {
  const where = whereClause(f, now);
  const n = where.values.length;
  return {
    text: `select ${SELECT_COLUMNS} from frauds ${where.text} ${orderClause(sort, dir)} limit $${n + 1} offset $${n + 2}`,
    values: [...where.values, pageSize, (page - 1) * pageSize],
  };
}

/** How many rows match, counting at most COUNT_CAP + 1 (so "more than" can be shown). */
export function countSql(f: AnomalyFilter, now?: Date): Sql {
  const where = whereClause(f, now);
  return {
    text: `select count(*)::int as n from (select 1 from frauds ${where.text} limit ${COUNT_CAP + 1}) capped`,
    values: where.values,
  };
}

/** Every filtered row, in the table's order: the export. */
export function exportSql(f: AnomalyFilter, sort: SortKey, dir: "asc" | "desc", now?: Date): Sql {
  const where = whereClause(f, now);
  return { text: `select ${SELECT_COLUMNS} from frauds ${where.text} ${orderClause(sort, dir)}`, values: where.values };
}
