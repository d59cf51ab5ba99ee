// Rows for tests, written with the real schema. Every value a test checks is
// set explicitly by that test; the defaults only satisfy NOT NULL columns.
import pg from "pg";

export interface FraudInput {
  transaction_id: string;
  user_id?: string;
  amount?: number;
  currency?: string;
  location?: string;
  timestamp?: Date;
  detection_time?: Date;
  merchant_name?: string | null;
  merchant_category?: string | null;
  detection_score?: number;
  risk_level?: "low" | "medium" | "high";
  model_used?: "user" | "global" | "blend";
  threshold?: number;
  explanation?: string | null;
  is_confirmed_fraud?: boolean | null;
  ground_truth?: boolean | null;
  detection_features?: unknown;
  node?: string | null;
}

export async function insertFrauds(db: pg.ClientBase | pg.Pool, rows: FraudInput[]): Promise<void> {
  for (const r of rows) {
    const detected = r.detection_time ?? new Date();
    await db.query(
      `insert into frauds (transaction_id, user_id, amount, currency, location, timestamp, transaction_type,
         merchant_id, merchant_name, merchant_category, payment_method, device_type, ip_address,
         is_confirmed_fraud, detection_score, risk_level, detection_time, detection_features, model_used,
         threshold, explanation, ground_truth, node, kafka_partition, kafka_offset)
       values ($1, $2, $3, $4, $5, $6, 'purchase', 'm-1', $7, $8, 'card', 'mobile', '192.0.2.10',
         $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 0, 1)`,
      [
        r.transaction_id, r.user_id ?? "u-1", r.amount ?? 100, r.currency ?? "EUR", r.location ?? "DE",
        r.timestamp ?? detected, r.merchant_name ?? "Shop", r.merchant_category === undefined ? "retail" : r.merchant_category,
        r.is_confirmed_fraud ?? null, r.detection_score ?? 0.7, r.risk_level ?? "medium", detected,
        JSON.stringify(r.detection_features ?? {}), r.model_used ?? "user", r.threshold ?? 0.6,
        r.explanation ?? null, r.ground_truth ?? null, r.node ?? "node-a",
      ],
    );
  }
}

export async function truncateAll(db: pg.ClientBase | pg.Pool): Promise<void> {
  await db.query("truncate labels, frauds, anomaly_outbox, transactions, user_profiles, kafka_offsets, quarantine, quarantine_outbox, node_status restart identity");
}
