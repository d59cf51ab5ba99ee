// What the Overview page reads. Counts over the window come from the hourly
// rollup frauds_hourly (db/migrations/003_frauds_hourly.sql) plus the rows
// of the window's first, partial hour; the rest reads the last minute's or
// the newest rows through the detection_time index, or the small node_status
// table.
import { query } from "../db";
import { windowStart, WINDOWS, type WindowKey } from "./windows";
import type { LiveAnomaly } from "../liveListener";
import type { NodeBrief } from "@/components/NodeList";

// A node whose heartbeat is older than this is not counted as live.
export const NODE_STALE_AFTER_S = 30;
const RATE_WINDOW_S = 60;
const TOP_LOCATIONS = 12;
export const FEED_INITIAL_ROWS = 25;
const HOUR_S = 3600;
// Chart buckets start at whole UTC multiples of their size (00:00, 06:00, …),
// the same in SQL (date_bin from this origin) and in JS (from the epoch),
// since every bucket size divides a day.
const BUCKET_ORIGIN = new Date("2000-01-01T00:00:00Z");

/** The first whole UTC hour at or after `from`: where the rollup takes over from frauds. */
export function rollupSplit(from: Date): Date {
  return new Date(Math.ceil(from.getTime() / (HOUR_S * 1000)) * HOUR_S * 1000);
}

export interface OverviewData {
  now: Date;
  windowFrom: Date;
  totalFrauds: number;
  anomaliesPerSecond: number;
  nodes: { live: number; total: number; transactionsPerSecond: number; transactionsTotal: number; anomaliesTotal: number };
  byRiskModel: { risk_level: string; model_used: string; n: number; unlabelled: number }[];
  amountsByLocation: { currency: string | null; otherCurrencyRows: number; rows: { location: string; total: number; n: number }[] };
  overTime: { bucket: Date; risk_level: string; n: number }[];
  latest: LiveAnomaly[];
  nodeList: NodeBrief[];
}

export async function loadOverview(window: WindowKey, now = new Date()): Promise<OverviewData> {
  const from = windowStart(window, now);
  const { bucketSeconds } = WINDOWS[window];
  const bucket = `${bucketSeconds} seconds`;
  // Whole hours come from frauds_hourly, the part of an hour before them from frauds.
  const split = rollupSplit(from);
  // Buckets shorter than an hour cannot be cut from hourly rows: the chart of
  // such a window (one hour of rows) reads frauds alone.
  const chartSplit = bucketSeconds % HOUR_S === 0 ? split : "infinity";
  const [any, rate, nodes, byRiskModel, currencies, overTime, latest, nodeList] = await Promise.all([
    query<{ present: boolean }>("select exists (select 1 from frauds) as present"),
    query<{ n: number }>("select count(*)::int as n from frauds where detection_time > $1", [new Date(now.getTime() - RATE_WINDOW_S * 1000)]),
    query<{ live: number; total: number; tps: number; tx: string; an: string }>(
      `select count(*) filter (where state = 'running' and heartbeat_at > $1)::int as live,
              count(*)::int as total,
              coalesce(sum(transactions_per_s) filter (where state = 'running' and heartbeat_at > $1), 0)::float8 as tps,
              coalesce(sum(transactions_total), 0)::text as tx,
              coalesce(sum(anomalies_total), 0)::text as an
         from node_status`,
      [new Date(now.getTime() - NODE_STALE_AFTER_S * 1000)],
    ),
    query<{ risk_level: string; model_used: string; n: number; unlabelled: number }>(
      `select risk_level, model_used, sum(n)::int as n, sum(unlabelled)::int as unlabelled
         from (select risk_level, model_used, n, unlabelled from frauds_hourly where hour >= $2
               union all
               select risk_level, model_used, 1, (is_confirmed_fraud is null)::int
                 from frauds where detection_time >= $1 and detection_time < $2) w
        group by risk_level, model_used`,
      [from, split],
    ),
    query<{ currency: string; location: string; total: number; n: number }>(
      `select currency, location, sum(amount)::float8 as total, sum(n)::int as n
         from (select currency, location, amount, n from frauds_hourly where hour >= $2
               union all
               select currency, location, amount, 1
                 from frauds where detection_time >= $1 and detection_time < $2) w
        group by currency, location`,
      [from, split],
    ),
    query<{ bucket: Date; risk_level: string; n: number }>(
      `select date_bin($3::interval, t, $4) as bucket, risk_level, sum(n)::int as n
         from (select hour as t, risk_level, n from frauds_hourly where hour >= $2
               union all
               select detection_time, risk_level, 1
                 from frauds where detection_time >= $1 and detection_time < $2) w
        group by 1, 2 order by 1`,
      [from, chartSplit, bucket, BUCKET_ORIGIN],
    ),
    query<LiveAnomaly & { amount: string }>(
      `select transaction_id, user_id, amount, currency, location, merchant_category, detection_score,
              risk_level, model_used, detection_time
         from frauds order by detection_time desc limit ${FEED_INITIAL_ROWS}`,
    ),
    query<NodeBrief>(
      `select node, state, heartbeat_at, transactions_per_s, consumer_lag::text, active_profiles
         from node_status order by node`,
    ),
  ]);
  return {
    now,
    windowFrom: from,
    totalFrauds: any[0].present ? 1 : 0,
    anomaliesPerSecond: rate[0].n / RATE_WINDOW_S,
    nodes: {
      live: nodes[0].live,
      total: nodes[0].total,
      transactionsPerSecond: nodes[0].tps,
      transactionsTotal: Number(nodes[0].tx),
      anomaliesTotal: Number(nodes[0].an),
    },
    byRiskModel,
    amountsByLocation: amountsInMainCurrency(currencies),
    overTime,
    nodeList,
    latest: latest.map((r) => ({ ...r, amount: Number(r.amount), detection_time: new Date(r.detection_time).toISOString() })),
  };
}

/**
 * Amounts in different currencies do not add up, so the chart sums the
 * currency with the most flagged rows and says how many rows it left out.
 */
export function amountsInMainCurrency(rows: { currency: string; location: string; total: number; n: number }[]) {
  const perCurrency = new Map<string, number>();
  for (const r of rows) perCurrency.set(r.currency, (perCurrency.get(r.currency) ?? 0) + r.n);
  const main = [...perCurrency.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
  const inMain = rows.filter((r) => r.currency === main).sort((a, b) => b.total - a.total).slice(0, TOP_LOCATIONS);
  const otherCurrencyRows = rows.filter((r) => r.currency !== main).reduce((s, r) => s + r.n, 0);
  return { currency: main, otherCurrencyRows, rows: inMain.map(({ location, total, n }) => ({ location, total, n })) };
}
