// One user's page: profile, score timeline, recent transactions, anomalies.
import { query } from "../db";
import type { FraudRow } from "../domain";

export const TIMELINE_POINTS = 500;
export const RECENT_TRANSACTIONS = 25;
export const USER_ANOMALIES = 10;

export interface UserProfileRow {
  user_id: string;
  node: string | null;
  model_version: string;
  history_size: number;
  trees: number;
  threshold: number | null;
  frozen: boolean;
  last_retrain: Date | null;
  last_transaction_at: Date | null;
  summary: unknown;
  checkpoint_bytes: number | null;
  updated_at: Date;
}

export interface TimelinePoint {
  timestamp: Date;
  score: number;
  threshold: number;
  is_anomaly: boolean;
}

export interface RecentTransaction {
  transaction_id: string;
  timestamp: Date;
  amount: string;
  currency: string;
  location: string;
  merchant_name: string | null;
  merchant_category: string | null;
  score: number;
  threshold: number;
  is_anomaly: boolean;
  model_used: string;
  explanation: string | null;
  risk_level: string | null;
}

export interface UserData {
  profile: UserProfileRow | null;
  timeline: TimelinePoint[];
  /** Where the timeline came from: every scored transaction, or only the flagged ones. */
  timelineSource: "transactions" | "frauds" | "none";
  recent: RecentTransaction[];
  anomalies: FraudRow[];
}

export async function loadUser(userId: string): Promise<UserData> {
  const [profiles, timeline, recent, anomalies] = await Promise.all([
    query<UserProfileRow>(
      `select user_id, node, model_version::text, history_size, trees, threshold, frozen, last_retrain,
              last_transaction_at, summary, octet_length(checkpoint) as checkpoint_bytes, updated_at
         from user_profiles where user_id = $1`,
      [userId],
    ),
    query<TimelinePoint>(
      `select timestamp, score, threshold, is_anomaly from transactions
        where user_id = $1 order by timestamp desc limit ${TIMELINE_POINTS}`,
      [userId],
    ),
    query<RecentTransaction>(
      `select t.transaction_id, t.timestamp, t.amount, t.currency, t.location, t.merchant_name, t.merchant_category,
              t.score, t.threshold, t.is_anomaly, t.model_used, f.explanation, f.risk_level
         from (select * from transactions where user_id = $1 order by timestamp desc limit ${RECENT_TRANSACTIONS}) t
         left join frauds f on f.transaction_id = t.transaction_id
        order by t.timestamp desc`,
      [userId],
    ),
    query<FraudRow>(`select * from frauds where user_id = $1 order by detection_time desc limit ${USER_ANOMALIES}`, [userId]),
  ]);
  // With transactions pruned by retention, the flagged rows still tell the story.
  let source: UserData["timelineSource"] = "transactions";
  let points = timeline;
  if (points.length === 0) {
    source = anomalies.length ? "frauds" : "none";
    points = anomalies.map((a) => ({ timestamp: a.timestamp, score: a.detection_score, threshold: a.threshold, is_anomaly: true }));
  }
  return { profile: profiles[0] ?? null, timeline: points.reverse(), timelineSource: source, recent, anomalies };
}
