// The vocabulary of the schema (db/migrations/001_schema.sql), in one place
// so checks, filters and colours agree with the database's own constraints.

export const RISK_LEVELS = ["low", "medium", "high"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const MODELS_USED = ["user", "global", "blend"] as const;
export type ModelUsed = (typeof MODELS_USED)[number];

export const LABELS = ["confirmed_fraud", "false_positive"] as const;
export type Label = (typeof LABELS)[number];

/** What frauds.is_confirmed_fraud says, as an analyst reads it. */
export const LABEL_STATES = ["unlabelled", "labelled", "confirmed_fraud", "false_positive"] as const;
export type LabelState = (typeof LABEL_STATES)[number];

export const LABEL_STATE_TEXT: Record<LabelState, string> = {
  unlabelled: "Unlabelled",
  labelled: "Labelled",
  confirmed_fraud: "Confirmed fraud",
  false_positive: "False positive",
};

export function labelStateOf(isConfirmedFraud: boolean | null): Exclude<LabelState, "labelled"> {
  if (isConfirmedFraud === null) return "unlabelled";
  return isConfirmedFraud ? "confirmed_fraud" : "false_positive";
}

export function isRiskLevel(v: string): v is RiskLevel {
  return (RISK_LEVELS as readonly string[]).includes(v);
}
export function isModelUsed(v: string): v is ModelUsed {
  return (MODELS_USED as readonly string[]).includes(v);
}
export function isLabel(v: unknown): v is Label {
  return typeof v === "string" && (LABELS as readonly string[]).includes(v);
}
export function isLabelState(v: string): v is LabelState {
  return (LABEL_STATES as readonly string[]).includes(v);
}

/** A row of frauds as the dashboard reads it (numeric comes back as text from pg). */
export interface FraudRow {
  transaction_id: string;
  user_id: string;
  amount: string;
  currency: string;
  location: string;
  timestamp: Date;
  transaction_type: string;
  merchant_id: string | null;
  merchant_name: string | null;
  merchant_category: string | null;
  payment_method: string | null;
  device_type: string | null;
  ip_address: string | null;
  is_confirmed_fraud: boolean | null;
  detection_score: number;
  risk_level: RiskLevel;
  detection_time: Date;
  detection_features: unknown;
  notes: string | null;
  model_used: ModelUsed;
  threshold: number;
  explanation: string | null;
  ground_truth: boolean | null;
  fraud_type: string | null;
  node: string | null;
  kafka_partition: number | null;
  kafka_offset: string | null;
}

/** Every column of frauds, in schema order: the export's columns. */
export const FRAUD_COLUMNS = [
  "transaction_id", "user_id", "amount", "currency", "location", "timestamp", "transaction_type",
  "merchant_id", "merchant_name", "merchant_category", "payment_method", "device_type", "ip_address",
  "is_confirmed_fraud", "detection_score", "risk_level", "detection_time", "detection_features", "notes",
  "model_used", "threshold", "explanation", "ground_truth", "fraud_type", "node", "kafka_partition",
  "kafka_offset",
] as const satisfies readonly (keyof FraudRow)[];

/** Longest analyst note the dashboard accepts. */
export const MAX_NOTE_LENGTH = 2000;
