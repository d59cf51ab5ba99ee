// The Quality page: how good the alerts are, by analyst labels and, where
// the input carried `_anomalous`, by ground truth.
import { query } from "../db";
import { windowStart, type WindowKey } from "./windows";

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
  const [labels, txTruth, fraudTruth, txHist, perDay] = await Promise.all([
    query<{ confirmed: number; fp: number; unlabelled: number }>(
      `select count(*) filter (where is_confirmed_fraud)::int as confirmed,
              count(*) filter (where not is_confirmed_fraud)::int as fp,
              count(*) filter (where is_confirmed_fraud is null)::int as unlabelled
         from frauds where detection_time >= $1`,
      [from],
    ),
    query<{ tp: number; fp: number; fn: number; tn: number }>(
      `select count(*) filter (where is_anomaly and ground_truth)::int as tp,
              count(*) filter (where is_anomaly and not ground_truth)::int as fp,
              count(*) filter (where not is_anomaly and ground_truth)::int as fn,
              count(*) filter (where not is_anomaly and not ground_truth)::int as tn
         from transactions where timestamp >= $1 and ground_truth is not null`,
      [from],
    ),
    query<{ tp: number; fp: number }>(
      `select count(*) filter (where ground_truth)::int as tp, count(*) filter (where not ground_truth)::int as fp
         from frauds where detection_time >= $1 and ground_truth is not null`,
      [from],
    ),
    query<{ bin: number; flagged: number; passed: number }>(
      `select greatest(least(width_bucket(score, 0, 1, ${HISTOGRAM_BINS}), ${HISTOGRAM_BINS}), 1) as bin,
              count(*) filter (where is_anomaly)::int as flagged, count(*) filter (where not is_anomaly)::int as passed
         from transactions where timestamp >= $1 group by 1 order by 1`,
      [from],
    ),
    query<{ day: Date; confirmed: number; false_positive: number; unlabelled: number }>(
      `select date_trunc('day', detection_time, 'UTC') as day,
              count(*) filter (where is_confirmed_fraud)::int as confirmed,
              count(*) filter (where not is_confirmed_fraud)::int as false_positive,
              count(*) filter (where is_confirmed_fraud is null)::int as unlabelled
         from frauds where detection_time >= $1 group by 1 order by 1`,
      [from],
    ),
  ]);
  const tx = txTruth[0];
  const txHasTruth = tx.tp + tx.fp + tx.fn + tx.tn > 0;
  const fr = fraudTruth[0];
  let histogram = txHist;
  let histogramSource: QualityData["histogramSource"] = txHist.length ? "transactions" : "none";
  if (!txHist.length) {
    // No scored transactions kept: the flagged rows' scores still show the upper tail.
    const flagged = await query<{ bin: number; flagged: number; passed: number }>(
      `select greatest(least(width_bucket(detection_score, 0, 1, ${HISTOGRAM_BINS}), ${HISTOGRAM_BINS}), 1) as bin,
              count(*)::int as flagged, 0 as passed
         from frauds where detection_time >= $1 group by 1 order by 1`,
      [from],
    );
    histogram = flagged;
    if (flagged.length) histogramSource = "frauds";
  }
  return {
    from,
    labels: { confirmed: labels[0].confirmed, falsePositive: labels[0].fp, unlabelled: labels[0].unlabelled },
    truth: txHasTruth
      ? { ...tx, source: "transactions" }
      : { tp: fr.tp, fp: fr.fp, fn: 0, tn: 0, source: fr.tp + fr.fp > 0 ? "frauds" : "none" },
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
