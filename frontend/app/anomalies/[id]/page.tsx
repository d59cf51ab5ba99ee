// One anomaly: what was seen, why it was flagged, and its labels.
import type { Metadata } from "next";
import Link from "next/link";
import { LabelBadge, ModelTag, RiskBadge } from "@/components/Badges";
import { FeatureTable } from "@/components/FeatureTable";
import { LabelForm } from "@/components/LabelForm";
import { Panel } from "@/components/Panel";
import { EmptyState, ErrorState } from "@/components/States";
import { labelStateOf, LABEL_STATE_TEXT } from "@/lib/domain";
import { formatMoney, formatScore, formatTime } from "@/lib/format";
import { load } from "@/lib/load";
import { loadAnomaly } from "@/lib/queries/anomalies";
import { labelAccess } from "@/lib/session";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: `Anomaly ${decodeURIComponent((await params).id)}` };
}

function Field({ name, children }: { name: string; children: React.ReactNode }) {
  return (
    <div className="field">
      <dt>{name}</dt>
      <dd>{children ?? "—"}</dd>
    </div>
  );
}

export default async function AnomalyPage({ params }: { params: Promise<{ id: string }> }) {
  const id = decodeURIComponent((await params).id);
  const [result, access] = await Promise.all([load(() => loadAnomaly(id)), labelAccess()]);
  if (!result.ok) return <ErrorState error={result.error} />;
  const { row, labels } = result.data;
  if (!row) {
    return (
      <EmptyState title={`No anomaly ${id}`}>
        <p>frauds has no row with this transaction id. <Link href="/anomalies">Back to the anomalies</Link>.</p>
      </EmptyState>
    );
  }
  const state = labelStateOf(row.is_confirmed_fraud);
  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs"><Link href="/anomalies">Anomalies</Link> /</p>
          <h1 className="mono">{row.transaction_id}</h1>
        </div>
        <div className="head-badges">
          <RiskBadge level={row.risk_level} /> <LabelBadge state={state} />
        </div>
      </div>
      <div className="grid-main">
        <div className="col">
          <Panel title="Why it was flagged">
            <p className="explanation">{row.explanation ?? "The node gave no explanation line."}</p>
            <dl className="fields three">
              <Field name="Score">{formatScore(row.detection_score)}</Field>
              <Field name="Threshold">{formatScore(row.threshold)}</Field>
              <Field name="Model"><ModelTag model={row.model_used} /></Field>
            </dl>
            <FeatureTable features={row.detection_features} />
          </Panel>
          <Panel title="Transaction">
            <dl className="fields">
              <Field name="User"><Link href={`/users/${encodeURIComponent(row.user_id)}`}>{row.user_id}</Link></Field>
              <Field name="Amount">{formatMoney(row.amount, row.currency)}</Field>
              <Field name="Time (UTC)">{formatTime(row.timestamp)}</Field>
              <Field name="Detected (UTC)">{formatTime(row.detection_time)}</Field>
              <Field name="Location">{row.location}</Field>
              <Field name="Type">{row.transaction_type}</Field>
              <Field name="Merchant">{row.merchant_name ? `${row.merchant_name} (${row.merchant_id ?? "no id"})` : null}</Field>
              <Field name="Category">{row.merchant_category}</Field>
              <Field name="Payment method">{row.payment_method}</Field>
              <Field name="Device">{row.device_type}</Field>
              <Field name="IP address"><span className="mono">{row.ip_address}</span></Field>
              <Field name="Node · partition · offset">{`${row.node ?? "—"} · ${row.kafka_partition ?? "—"} · ${row.kafka_offset ?? "—"}`}</Field>
              {row.ground_truth !== null && <Field name="Ground truth">{row.ground_truth ? `fraud${row.fraud_type ? ` (${row.fraud_type})` : ""}` : "legitimate"}</Field>}
            </dl>
          </Panel>
        </div>
        <div className="col">
          <Panel title="Analyst label" subtitle="the newest label wins; a false positive teaches the user's model">
            <p>
              Now: <LabelBadge state={state} />
              {row.notes && <span className="note-text"> “{row.notes}”</span>}
            </p>
            <LabelForm transactionId={row.transaction_id} access={access} />
          </Panel>
          <Panel title="Label history">
            {labels.length === 0 ? (
              <p className="muted">Not labelled yet.</p>
            ) : (
              <ol className="label-history">
                {labels.map((l) => (
                  <li key={l.id}>
                    <strong>{LABEL_STATE_TEXT[l.label as "confirmed_fraud" | "false_positive"] ?? l.label}</strong> by {l.analyst ?? "unknown"} at {formatTime(l.created_at)} UTC
                    {l.note && <div className="note-text">“{l.note}”</div>}
                    <div className="muted small">
                      {l.applied_at ? `applied by ${l.applied_by ?? "a node"} at ${formatTime(l.applied_at)} UTC` : "not yet taken in by the owning node"}
                    </div>
                  </li>
                ))}
              </ol>
            )}
          </Panel>
        </div>
      </div>
    </>
  );
}
