// Writing analyst feedback. The labels trigger updates frauds and notifies
// rtad_labels, so the owning node's profile actor hears of it.
import { query } from "../db";
import type { Label } from "../domain";

export { MAX_NOTE_LENGTH } from "../domain";

export interface StoredLabel {
  id: string;
  transaction_id: string;
  user_id: string;
  label: Label;
  note: string | null;
  analyst: string;
  created_at: Date;
}

/** Stores a label for a flagged transaction; null when no such anomaly exists. */
export async function insertLabel(transactionId: string, label: Label, note: string | null, analyst: string): Promise<StoredLabel | null> {
  // user_id comes from frauds, not from the request: a label can only be
  // attached to the anomaly's real owner.
  const rows = await query<StoredLabel>(
    `insert into labels (transaction_id, user_id, label, note, analyst)
     select transaction_id, user_id, $2, $3, $4 from frauds where transaction_id = $1
     returning id::text, transaction_id, user_id, label, note, analyst, created_at`,
    [transactionId, label, note, analyst],
  );
  return rows[0] ?? null;
}
