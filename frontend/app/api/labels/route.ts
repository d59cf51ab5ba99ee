// POST a label: {transaction_id, label: "confirmed_fraud" | "false_positive", note?}.
// Refused unless the request carries the dashboard token (lib/auth.ts).
import { authorize } from "@/lib/auth";
import { describeDbError } from "@/lib/db";
import { isLabel, MAX_NOTE_LENGTH } from "@/lib/domain";
import { insertLabel } from "@/lib/queries/labels";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const MAX_BODY_BYTES = 16 * 1024;

function reply(status: number, body: object) {
  return Response.json(body, { status, headers: { "cache-control": "no-store" } });
}

export async function POST(request: Request) {
  const auth = authorize(request.headers);
  if (!auth.ok) return reply(auth.status, { error: auth.message });
  // JSON only: a cross-site HTML form cannot send it without a CORS preflight.
  if (!request.headers.get("content-type")?.toLowerCase().startsWith("application/json")) {
    return reply(415, { error: "Send the label as application/json." });
  }
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) return reply(413, { error: "The request is too large." });
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch {
    return reply(400, { error: "The body is not JSON." });
  }
  const { transaction_id: id, label, note } = body ?? {};
  if (typeof id !== "string" || !id.trim()) return reply(400, { error: "transaction_id is missing." });
  if (!isLabel(label)) return reply(400, { error: "label must be confirmed_fraud or false_positive." });
  if (note !== undefined && note !== null && typeof note !== "string") return reply(400, { error: "note must be text." });
  if (typeof note === "string" && note.length > MAX_NOTE_LENGTH) return reply(400, { error: `note is longer than ${MAX_NOTE_LENGTH} characters.` });
  try {
    const stored = await insertLabel(id, label, typeof note === "string" && note.trim() ? note.trim() : null, auth.analyst);
    if (!stored) return reply(404, { error: `No anomaly ${id} in frauds.` });
    return reply(201, { label: stored });
  } catch (e) {
    const err = describeDbError(e);
    return reply(err.kind === "unreachable" || err.kind === "not_configured" ? 503 : 500, { error: err.message });
  }
}
