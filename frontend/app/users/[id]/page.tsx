// One user: their usual behaviour, their scores against the threshold, what
// they did lately, and the model that watches them.
import type { Metadata } from "next";
import Link from "next/link";
import { LabelBadge, ModelTag, RiskBadge, ScoreCell } from "@/components/Badges";
import { LabelForm } from "@/components/LabelForm";
import { Panel } from "@/components/Panel";
import { EmptyState, ErrorState } from "@/components/States";
import { ScoreTimeline } from "@/components/charts/ScoreTimeline";
import { StackedColumns } from "@/components/charts/StackedColumns";
import { labelStateOf } from "@/lib/domain";
import { formatAge, formatBytes, formatInt, formatMoney, formatPercent, formatScore, formatTime } from "@/lib/format";
import { load } from "@/lib/load";
import { readProfileSummary, type Share } from "@/lib/profileSummary";
import { loadUser, RECENT_TRANSACTIONS, USER_ANOMALIES } from "@/lib/queries/user";
import { labelAccess } from "@/lib/session";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: `User ${decodeURIComponent((await params).id)}` };
}

function Shares({ items, empty }: { items: Share[]; empty: string }) {
  if (!items.length) return <p className="muted small">{empty}</p>;
  return (
    <ul className="shares">
      {items.slice(0, 8).map((s) => (
        <li key={s.name}>
          <span>{s.name}</span>
          {s.share !== null && <span className="num muted">{formatPercent(s.share, 0)}</span>}
        </li>
      ))}
    </ul>
  );
}

export default async function UserPage({ params }: { params: Promise<{ id: string }> }) {
  const id = decodeURIComponent((await params).id);
  const [result, access] = await Promise.all([load(() => loadUser(id)), labelAccess()]);
  const head = (
    <div className="page-head">
      <div>
        <p className="crumbs">User</p>
        <h1 className="mono">{id}</h1>
      </div>
      <Link className="btn" href={`/anomalies?user=${encodeURIComponent(id)}`}>All anomalies of this user</Link>
    </div>
  );
  if (!result.ok) return <>{head}<ErrorState error={result.error} /></>;
  const { profile, timeline, timelineSource, recent, anomalies } = result.data;
  if (!profile && timeline.length === 0 && recent.length === 0) {
    return (
      <>
        {head}
        <EmptyState title={`Nothing known about user ${id}`}>
          <p>No profile, no scored transaction and no anomaly carry this user id. Check the spelling; ids are matched exactly.</p>
        </EmptyState>
      </>
    );
  }
  const summary = readProfileSummary(profile?.summary);
  const maxHour = summary.hours ? Math.max(...summary.hours) : 0;
  return (
    <>
      {head}
      <div className="grid-main">
        <div className="col">
          <Panel
            title="Scores over time"
            subtitle={
              timelineSource === "transactions"
                ? `last ${formatInt(timeline.length)} scored transactions; points above the threshold line were flagged`
                : timelineSource === "frauds"
                  ? "only flagged transactions: no scored transactions are stored for this user (retention?)"
                  : undefined
            }
          >
            {timeline.length === 0 ? (
              <p className="muted empty-chart">No scored transaction stored for this user.</p>
            ) : (
              <ScoreTimeline
                title={`Scores of user ${id}`}
                points={timeline.map((p) => ({ t: new Date(p.timestamp).getTime(), score: p.score, threshold: p.threshold, flagged: p.is_anomaly }))}
              />
            )}
          </Panel>
          <Panel title="Recent transactions" subtitle={`the ${RECENT_TRANSACTIONS} newest, with the node's explanation where it flagged one`} className="flush">
            {recent.length === 0 ? (
              <p className="muted pad">No scored transaction stored for this user.</p>
            ) : (
              <div className="table-wrap">
                <table className="data" aria-label="Recent transactions">
                  <thead><tr><th>Time (UTC)</th><th className="num">Amount</th><th>Location</th><th>Merchant</th><th>Score</th><th>Model</th><th>Explanation</th></tr></thead>
                  <tbody>
                    {recent.map((t) => (
                      <tr key={t.transaction_id} className={t.is_anomaly ? "flagged-row" : ""}>
                        <td className="mono nowrap">{formatTime(t.timestamp)}</td>
                        <td className="num nowrap">{formatMoney(t.amount, t.currency)}</td>
                        <td>{t.location}</td>
                        <td>{t.merchant_name ?? "—"}<div className="muted small">{t.merchant_category}</div></td>
                        <td><ScoreCell score={t.score} threshold={t.threshold} level={t.risk_level ?? (t.is_anomaly ? "high" : undefined)} /></td>
                        <td><ModelTag model={t.model_used} /></td>
                        <td className="small">
                          {t.is_anomaly ? <Link href={`/anomalies/${encodeURIComponent(t.transaction_id)}`}>{t.explanation ?? "flagged"}</Link> : <span className="muted">below threshold {formatScore(t.threshold)}</span>}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Panel>
          <Panel
            title="Anomalies"
            subtitle={`the ${USER_ANOMALIES} newest flagged transactions of this user; label them here`}
            actions={<Link href={`/anomalies?user=${encodeURIComponent(id)}`}>all of them →</Link>}
            className="flush"
          >
            {anomalies.length === 0 ? (
              <p className="muted pad">No anomaly for this user.</p>
            ) : (
              <ul className="user-anomalies">
                {anomalies.map((a) => (
                  <li key={a.transaction_id} data-transaction-id={a.transaction_id}>
                    <div className="ua-head">
                      <RiskBadge level={a.risk_level} />
                      <Link href={`/anomalies/${encodeURIComponent(a.transaction_id)}`} className="mono">{a.transaction_id}</Link>
                      <span className="num">{formatMoney(a.amount, a.currency)}</span>
                      <span>{a.location}</span>
                      <span className="muted">{formatTime(a.detection_time)} UTC</span>
                      <span className="num">score {formatScore(a.detection_score)}</span>
                      <LabelBadge state={labelStateOf(a.is_confirmed_fraud)} />
                    </div>
                    {a.explanation && <p className="small explanation">{a.explanation}</p>}
                    <LabelForm transactionId={a.transaction_id} access={access} compact />
                  </li>
                ))}
              </ul>
            )}
          </Panel>
        </div>
        <div className="col">
          <Panel title="Model" subtitle={profile ? `profile updated ${formatAge(profile.updated_at)}` : undefined}>
            {!profile ? (
              <p className="muted">No profile stored: this user is scored by the global model until a node builds one.</p>
            ) : (
              <dl className="fields two">
                <div className="field"><dt>Node</dt><dd className="mono">{profile.node ?? "—"}</dd></div>
                <div className="field"><dt>Model version</dt><dd>{profile.model_version}</dd></div>
                <div className="field"><dt>Window size</dt><dd>{formatInt(profile.history_size)} transactions</dd></div>
                <div className="field"><dt>Trees</dt><dd>{formatInt(profile.trees)}</dd></div>
                <div className="field"><dt>Threshold</dt><dd>{formatScore(profile.threshold)}</dd></div>
                <div className="field"><dt>Frozen</dt><dd>{profile.frozen ? "yes (not learning)" : "no"}</dd></div>
                <div className="field"><dt>Last retrain</dt><dd>{profile.last_retrain ? `${formatTime(profile.last_retrain)} UTC` : "never"}</dd></div>
                <div className="field"><dt>Newest learned</dt><dd>{profile.last_transaction_at ? `${formatTime(profile.last_transaction_at)} UTC` : "—"}</dd></div>
                <div className="field"><dt>Checkpoint</dt><dd>{profile.checkpoint_bytes ? formatBytes(profile.checkpoint_bytes) : "none"}</dd></div>
              </dl>
            )}
          </Panel>
          <Panel title="Usual behaviour" subtitle="from the profile's summary">
            <dl className="fields">
              <div className="field">
                <dt>Amount range</dt>
                <dd>
                  {summary.amount
                    ? `${summary.amount.min !== null ? formatMoney(summary.amount.min) : "?"} – ${summary.amount.max !== null ? formatMoney(summary.amount.max) : "?"}${summary.amount.currency ? ` ${summary.amount.currency}` : ""}${summary.amount.median !== null ? ` (median ${formatMoney(summary.amount.median)})` : ""}`
                    : "not recorded"}
                </dd>
              </div>
            </dl>
            <div className="grid-2 tight">
              <div><h3>Countries</h3><Shares items={summary.countries} empty="not recorded" /></div>
              <div><h3>Merchant categories</h3><Shares items={summary.categories} empty="not recorded" /></div>
            </div>
            <h3>Active hours (UTC)</h3>
            {summary.hours && maxHour > 0 ? (
              <StackedColumns
                title="Active hours"
                columns={summary.hours.map((v, h) => ({ tick: h % 3 === 0 ? String(h) : "", title: `${h}:00–${h}:59 UTC`, values: { n: v } }))}
                series={[{ key: "n", label: "transactions", color: "var(--accent)" }]}
                yUnit="transactions"
                xLabel="hour of day (UTC)"
                width={380}
                height={200}
              />
            ) : (
              <p className="muted small">not recorded</p>
            )}
          </Panel>
        </div>
      </div>
    </>
  );
}
