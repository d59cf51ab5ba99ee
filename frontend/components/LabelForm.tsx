"use client";
// Confirm fraud or mark a false positive, with a note. The server decides
// who may (lib/auth.ts); this form only shows what it was told.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { MAX_NOTE_LENGTH, type Label } from "@/lib/domain";

export type LabelAccess = { kind: "allowed"; analyst: string } | { kind: "signin" } | { kind: "readonly"; reason: string };

export function LabelForm({ transactionId, access, compact = false }: { transactionId: string; access: LabelAccess; compact?: boolean }) {
  const router = useRouter();
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  // Server-rendered buttons do nothing until React has hydrated them: they
  // stay disabled until then, so an early click is not silently lost.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  if (access.kind === "readonly") return <p className="muted small" data-testid="label-readonly">{access.reason}</p>;
  if (access.kind === "signin") {
    return (
      <p className="small">
        <Link href={`/signin?next=${encodeURIComponent(`/anomalies/${transactionId}`)}`}>Sign in</Link> to label this anomaly.
      </p>
    );
  }

  async function submit(label: Label) {
    setBusy(true);
    setResult(null);
    try {
      const res = await fetch("/api/labels", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ transaction_id: transactionId, label, note: note.trim() || null }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) {
        setResult({ ok: false, text: body.error ?? `The server refused (${res.status}).` });
        return;
      }
      setResult({ ok: true, text: label === "confirmed_fraud" ? "Saved as confirmed fraud." : "Saved as false positive." });
      setNote("");
      router.refresh();
    } catch (e) {
      setResult({ ok: false, text: `Could not reach the dashboard server: ${(e as Error).message}` });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className={`label-form ${compact ? "compact" : ""}`} onSubmit={(e) => e.preventDefault()} aria-label={`Label ${transactionId}`}>
      <textarea
        name="note"
        placeholder="Note (optional): what you checked, who you called…"
        maxLength={MAX_NOTE_LENGTH}
        value={note}
        onChange={(e) => setNote(e.target.value)}
        rows={compact ? 1 : 2}
      />
      <div className="label-actions">
        <button type="button" className="btn btn-fraud" disabled={busy || !hydrated} onClick={() => submit("confirmed_fraud")}>
          Confirm fraud
        </button>
        <button type="button" className="btn btn-fp" disabled={busy || !hydrated} onClick={() => submit("false_positive")}>
          False positive
        </button>
        {result && (
          <span className={result.ok ? "ok small" : "error small"} role={result.ok ? "status" : "alert"}>
            {result.text}
          </span>
        )}
      </div>
    </form>
  );
}
