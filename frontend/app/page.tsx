// Overview: how much is flagged, where, by which model, and what just came in.
import { Panel, StatCard } from "@/components/Panel";
import { ErrorState } from "@/components/States";
import { LiveFeed } from "@/components/LiveFeed";
import { NodeList } from "@/components/NodeList";
import { WindowPicker } from "@/components/WindowPicker";
import { HorizontalBars } from "@/components/charts/HorizontalBars";
import { StackedColumns } from "@/components/charts/StackedColumns";
import { bucketColumns, breakdowns, RISK_SERIES } from "@/components/overview/charts";
import { load } from "@/lib/load";
import { loadOverview, NODE_STALE_AFTER_S } from "@/lib/queries/overview";
import { parseWindow, WINDOWS } from "@/lib/queries/windows";
import { formatCompact, formatDecimal, formatInt, formatPercent, formatTime } from "@/lib/format";
import { RISK_LEVELS } from "@/lib/domain";

export const dynamic = "force-dynamic";

export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const window = parseWindow((await searchParams).window);
  const w = WINDOWS[window];
  const result = await load(() => loadOverview(window));
  const header = (
    <div className="page-head">
      <h1>Overview</h1>
      <WindowPicker current={window} path="/" />
    </div>
  );
  if (!result.ok) {
    return (
      <>
        {header}
        <ErrorState error={result.error} />
      </>
    );
  }
  const d = result.data;
  const { byRisk, byModel, total, unlabelled } = breakdowns(d.byRiskModel);
  const rate = d.nodes.transactionsTotal > 0 ? d.nodes.anomaliesTotal / d.nodes.transactionsTotal : null;
  const noNodes = d.nodes.total === 0;
  return (
    <>
      {header}
      <p className="page-note">
        Figures for the {w.label} (from {formatTime(d.windowFrom)} UTC), as of {formatTime(d.now)} UTC.
      </p>
      <div className="stats">
        <StatCard
          label="Transactions / s"
          value={noNodes ? "—" : formatDecimal(d.nodes.transactionsPerSecond, 1)}
          sub={noNodes ? "no node reporting" : `reported by ${d.nodes.live} of ${d.nodes.total} nodes`}
        />
        <StatCard label="Anomalies / s" value={formatDecimal(d.anomaliesPerSecond, 2)} sub="stored in the last 60 s" />
        <StatCard label="Anomaly rate" value={formatPercent(rate, 2)} sub={rate === null ? "no transactions counted yet" : "of transactions, since nodes started"} />
        <StatCard label="Flagged" value={formatInt(total)} sub={w.label} />
        <StatCard label="High risk" value={formatInt(byRisk.high)} sub={w.label} tone={byRisk.high > 0 ? "high" : undefined} />
        <StatCard label="To review" value={formatInt(unlabelled)} sub="flagged, not yet labelled" tone={unlabelled > 0 ? "warn" : "ok"} />
      </div>

      <div className="grid-main">
        <div className="col">
          <Panel title="Anomalies over time" subtitle={`${w.bucketLabel}, by risk level`}>
            {total === 0 ? (
              <p className="muted empty-chart">{d.totalFrauds ? `No anomalies in the ${w.label}.` : "No anomalies stored yet: frauds is empty."}</p>
            ) : (
              <StackedColumns
                title="Anomalies over time"
                columns={bucketColumns(d.overTime, d.windowFrom, d.now, w.bucketSeconds)}
                series={RISK_SERIES}
                yUnit={`anomalies ${w.bucketLabel}`}
                xLabel="detection time (UTC)"
              />
            )}
          </Panel>
          <Panel
            title="Flagged amount by location"
            subtitle={
              d.amountsByLocation.currency
                ? `sum of flagged amounts in ${d.amountsByLocation.currency}, top locations${d.amountsByLocation.otherCurrencyRows ? `; ${formatInt(d.amountsByLocation.otherCurrencyRows)} rows in other currencies not added` : ""}`
                : undefined
            }
          >
            {d.amountsByLocation.rows.length === 0 ? (
              <p className="muted empty-chart">Nothing flagged in the {w.label}.</p>
            ) : (
              <HorizontalBars
                title="Flagged amount by location"
                unit={d.amountsByLocation.currency ?? ""}
                rows={d.amountsByLocation.rows.map((r) => ({ label: r.location, value: r.total, note: `${formatInt(r.n)} alerts` }))}
              />
            )}
          </Panel>
          <div className="grid-2">
            <Panel title="By risk level" subtitle={w.label}>
              <ul className="breakdown" aria-label="Flagged by risk level">
                {RISK_LEVELS.slice().reverse().map((r) => (
                  <li key={r}>
                    <span className={`swatch risk-bg-${r}`} /> <span className="breakdown-name">{r}</span>
                    <span className="breakdown-bar"><span className={`risk-bg-${r}`} style={{ width: `${total ? (byRisk[r] / total) * 100 : 0}%` }} /></span>
                    <span className="num">{formatInt(byRisk[r])}</span>
                    <span className="num muted">{formatPercent(total ? byRisk[r] / total : null, 0)}</span>
                  </li>
                ))}
              </ul>
            </Panel>
            <Panel title="By model used" subtitle={`${w.label} · user = the user's own forest, global = population forest`}>
              <ul className="breakdown" aria-label="Flagged by model used">
                {["user", "blend", "global"].map((m) => (
                  <li key={m}>
                    <span className="breakdown-name">{m}</span>
                    <span className="breakdown-bar"><span className="accent-bg" style={{ width: `${total ? ((byModel[m] ?? 0) / total) * 100 : 0}%` }} /></span>
                    <span className="num">{formatInt(byModel[m] ?? 0)}</span>
                    <span className="num muted">{formatPercent(total ? (byModel[m] ?? 0) / total : null, 0)}</span>
                  </li>
                ))}
              </ul>
            </Panel>
          </div>
        </div>
        <div className="col">
          <Panel title="Live feed" subtitle="new anomalies as nodes commit them">
            <LiveFeed initial={d.latest} />
          </Panel>
          <Panel title="Nodes" subtitle={`${d.nodes.live} of ${d.nodes.total} live · ${formatCompact(d.nodes.transactionsTotal)} transactions scored`}>
            <NodeList nodes={d.nodeList} now={d.now} staleAfterS={NODE_STALE_AFTER_S} />
          </Panel>
        </div>
      </div>
    </>
  );
}
