// The Quality page: how good the alerts are, by analyst labels and, where
// the input carried `_anomalous`, by ground truth. Counts come from the
// hourly summaries frauds_hourly_quality and transactions_hourly_quality
// (db/migrations/004_*.sql, 005_*.sql) plus the rows of the window's first,
// partial hour, so they equal counting the rows of the window themselves.
import { query } from "../db";
import { rollupSplit } from "./overview";
import { windowStart, type WindowKey } from "./windows";

/** Score bins over [0, 1]; the SQL side is rtad_score_bin (db/migrations/004_frauds_hourly_quality.sql). */
export const HISTOGRAM_BINS = 20;

export interface QualityData {
  from: Date;
  labels: { confirmed: number; falsePositive: number; unlabelled: number };
  truth: { tp: number; fp: number; fn: number; tn: number; source: "transactions" | "frauds" | "none" };
  histogram: { bin: number; flagged: number; passed: number }[];
  histogramSource: "transactions" | "frauds" | "none";
  perDay: { day: Date; confirmed: number; false_positive: number; unlabelled: number }[];
}

export async function loadQuality(window: WindowKey, now = new Date()): Promise<QualityData> {
  const from = windowStart(window, now);
  // Whole hours come from the summaries, the part of an hour before them
  // from frauds and transactions themselves (at most an hour of rows each).
  // Their flags count with `is true`/`is false`: a null cast to int would make
  // a day whose only rows are in that part sum to null instead of 0.
  const split = rollupSplit(from);
  const [fraudFigures, txBins, perDay] = await Promise.all([
    query<{ confirmed: number; fp: number; unlabelled: number; truth_tp: number; truth_fp: number }>(
      `select coalesce(sum(confirmed), 0)::int as confirmed, coalesce(sum(false_positive), 0)::int as fp,
              coalesce(sum(unlabelled), 0)::int as unlabelled,
              coalesce(sum(truth_fraud), 0)::int as truth_tp, coalesce(sum(truth_legit), 0)::int as truth_fp
         from (select confirmed, false_positive, unlabelled, truth_fraud, truth_legit
                 from frauds_hourly_quality where hour >= $2
               union all
               select (is_confirmed_fraud is true)::int, (is_confirmed_fraud is false)::int,
                      (is_confirmed_fraud is null)::int, (ground_truth is true)::int, (ground_truth is false)::int
                 from frauds where detection_time >= $1 and detection_time < $2) w`,
      [from, split],
    ),
    // The score histogram of everything scored, and ground truth against the
    // verdict, per score bin; the truth counts are added up below.
    query<{ bin: number; flagged: number; passed: number; tp: number; fp: number; fn: number; tn: number }>(
      `select bin, sum(flagged)::int as flagged, sum(passed)::int as passed,
              coalesce(sum(tp), 0)::int as tp, coalesce(sum(fp), 0)::int as fp,
              coalesce(sum(fn), 0)::int as fn, coalesce(sum(tn), 0)::int as tn
         from (select bin, flagged, passed, truth_tp as tp, truth_fp as fp, truth_fn as fn, truth_tn as tn
                 from transactions_hourly_quality where hour >= $2
               union all
               select rtad_score_bin(score), (is_anomaly)::int, (not is_anomaly)::int,
                      (is_anomaly and ground_truth)::int, (is_anomaly and not ground_truth)::int,
                      (not is_anomaly and ground_truth)::int, (not is_anomaly and not ground_truth)::int
                 from transactions where timestamp >= $1 and timestamp < $2) w
        group by bin order by bin`,
      [from, split],
    ),
    query<{ day: Date; confirmed: number; false_positive: number; unlabelled: number }>(
      `select date_trunc('day', t, 'UTC') as day,
              sum(confirmed)::int as confirmed, sum(false_positive)::int as false_positive,
              sum(unlabelled)::int as unlabelled
         from (select hour as t, confirmed, false_positive, unlabelled
                 from frauds_hourly_quality where hour >= $2
               union all
               select detection_time, (is_confirmed_fraud is true)::int, (is_confirmed_fraud is false)::int,
                      (is_confirmed_fraud is null)::int
                 from frauds where detection_time >= $1 and detection_time < $2) w
        group by 1 order by 1`,
      [from, split],
    ),
  ]);
  const tx = txBins.reduce(
    (t, b) => ({ tp: t.tp + b.tp, fp: t.fp + b.fp, fn: t.fn + b.fn, tn: t.tn + b.tn }),
    { tp: 0, fp: 0, fn: 0, tn: 0 },
  );
  const txHasTruth = tx.tp + tx.fp + tx.fn + tx.tn > 0;
  const fr = fraudFigures[0];
  let histogram = txBins.map(({ bin, flagged, passed }) => ({ bin, flagged, passed }));
  let histogramSource: QualityData["histogramSource"] = histogram.length ? "transactions" : "none";
  if (!histogram.length) {
    // No scored transactions kept: the flagged rows' scores still show the upper tail.
    const flagged = await query<{ bin: number; flagged: number; passed: number }>(
      `select bin, sum(n)::int as flagged, 0 as passed
         from (select bin, n from frauds_hourly_quality where hour >= $2
               union all
               select rtad_score_bin(detection_score), 1
                 from frauds where detection_time >= $1 and detection_time < $2) w
        group by 1 order by 1`,
      [from, split],
    );
    histogram = flagged;
    if (flagged.length) histogramSource = "frauds";
  }
  return {
    from,
    labels: { confirmed: fr.confirmed, falsePositive: fr.fp, unlabelled: fr.unlabelled },
    truth: txHasTruth
      ? { ...tx, source: "transactions" }
      : { tp: fr.truth_tp, fp: fr.truth_fp, fn: 0, tn: 0, source: fr.truth_tp + fr.truth_fp > 0 ? "frauds" : "none" },
    histogram,
    histogramSource,
    perDay,
  };
}

/** precision = tp / (tp + fp); null when nothing was flagged. */
export function precision(tp: number, fp: number): number | null {
  return tp + fp > 0 ? tp / (tp + fp) : null;
}
/** recall = tp / (tp + fn); null when there was nothing to find. */
export function recall(tp: number, fn: number): number | null {
  return tp + fn > 0 ? tp / (tp + fn) : null;
}
