// Turns the Overview's query rows into chart columns: every bucket of the
// window gets a column, so a quiet period shows as a gap, not a squeeze.
// Buckets start at whole multiples of their size since the epoch, as the
// query's date_bin makes them, so the first one may begin before the window.
import { RISK_LEVELS } from "@/lib/domain";
import { formatTime } from "@/lib/format";
import { sparseTick, type Column } from "@/components/charts/StackedColumns";

export const RISK_SERIES = [
  { key: "high", label: "high", color: "var(--risk-high)" },
  { key: "medium", label: "medium", color: "var(--risk-medium)" },
  { key: "low", label: "low", color: "var(--risk-low)" },
];

export function bucketColumns(rows: { bucket: Date; risk_level: string; n: number }[], from: Date, now: Date, bucketSeconds: number): Column[] {
  const step = bucketSeconds * 1000;
  const first = Math.floor(from.getTime() / step) * step;
  const count = Math.max(1, Math.ceil((now.getTime() - first) / step));
  const byBucket = new Map<number, Record<string, number>>();
  for (const r of rows) {
    const key = new Date(r.bucket).getTime();
    const values = byBucket.get(key) ?? {};
    values[r.risk_level] = (values[r.risk_level] ?? 0) + r.n;
    byBucket.set(key, values);
  }
  const daily = bucketSeconds >= 6 * 3600;
  return Array.from({ length: count }, (_, i) => {
    const t = first + i * step;
    const text = formatTime(new Date(t));
    return {
      tick: sparseTick(i, count, daily ? text.slice(5, 10) : text.slice(11, 16)),
      title: `${text} UTC`,
      values: byBucket.get(t) ?? {},
    };
  });
}

/** Counts per risk level and per model from the grouped rows. */
export function breakdowns(rows: { risk_level: string; model_used: string; n: number; unlabelled: number }[]) {
  const byRisk: Record<string, number> = Object.fromEntries(RISK_LEVELS.map((r) => [r, 0]));
  const byModel: Record<string, number> = {};
  let total = 0;
  let unlabelled = 0;
  for (const r of rows) {
    byRisk[r.risk_level] = (byRisk[r.risk_level] ?? 0) + r.n;
    byModel[r.model_used] = (byModel[r.model_used] ?? 0) + r.n;
    total += r.n;
    unlabelled += r.unlabelled;
  }
  return { byRisk, byModel, total, unlabelled };
}
