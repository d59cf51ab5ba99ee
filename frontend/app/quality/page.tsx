// Quality: are the alerts right? Precision from analyst labels; precision
// and recall from ground truth where the input carried it.
import type { Metadata } from "next";
import { Panel, StatCard } from "@/components/Panel";
import { ErrorState } from "@/components/States";
import { WindowPicker } from "@/components/WindowPicker";
import { sparseTick, StackedColumns } from "@/components/charts/StackedColumns";
import { formatInt, formatPercent, formatTime } from "@/lib/format";
import { load } from "@/lib/load";
import { HISTOGRAM_BINS, loadQuality, precision, recall } from "@/lib/queries/quality";
import { parseWindow, WINDOWS } from "@/lib/queries/windows";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Quality" };

export default async function QualityPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const window = parseWindow((await searchParams).window, "7d");
  const w = WINDOWS[window];
  const result = await load(() => loadQuality(window));
  const head = (
    <div className="page-head">
      <h1>Quality</h1>
      <WindowPicker current={window} path="/quality" />
    </div>
  );
  if (!result.ok) return <>{head}<ErrorState error={result.error} /></>;
  const d = result.data;
  const labelled = d.labels.confirmed + d.labels.falsePositive;
  const labelPrecision = precision(d.labels.confirmed, d.labels.falsePositive);
  const truthPrecision = precision(d.truth.tp, d.truth.fp);
  const truthRecall = d.truth.source === "transactions" ? recall(d.truth.tp, d.truth.fn) : null;
  // Every day of the window gets a column, so a quiet day shows as one.
  const dayMs = 86_400_000;
  const firstDay = Math.floor(d.from.getTime() / dayMs) * dayMs;
  const days = Array.from({ length: Math.floor((Date.now() - firstDay) / dayMs) + 1 }, (_, i) => {
    const day = new Date(firstDay + i * dayMs);
    const row = d.perDay.find((r) => new Date(r.day).getTime() === day.getTime());
    return { day, confirmed: row?.confirmed ?? 0, false_positive: row?.false_positive ?? 0, unlabelled: row?.unlabelled ?? 0 };
  });
  const bins = Array.from({ length: HISTOGRAM_BINS }, (_, i) => d.histogram.find((b) => b.bin === i + 1) ?? { bin: i + 1, flagged: 0, passed: 0 });
  return (
    <>
      {head}
      <p className="page-note">The {w.label}, from {formatTime(d.from)} UTC.</p>
      <div className="stats">
        <StatCard label="Precision (labels)" value={formatPercent(labelPrecision)} sub={labelled ? `${formatInt(d.labels.confirmed)} confirmed of ${formatInt(labelled)} labelled` : "no labels yet"} />
        <StatCard label="Labelled" value={formatPercent(labelled + d.labels.unlabelled ? labelled / (labelled + d.labels.unlabelled) : null)} sub={`${formatInt(d.labels.unlabelled)} alerts still unlabelled`} tone={d.labels.unlabelled ? "warn" : "ok"} />
        <StatCard
          label="Precision (ground truth)"
          value={formatPercent(truthPrecision)}
          sub={d.truth.source === "none" ? "no ground truth in the input" : `${formatInt(d.truth.tp)} true of ${formatInt(d.truth.tp + d.truth.fp)} flagged`}
        />
        <StatCard
          label="Recall (ground truth)"
          value={formatPercent(truthRecall)}
          sub={d.truth.source === "transactions" ? `${formatInt(d.truth.tp)} of ${formatInt(d.truth.tp + d.truth.fn)} frauds caught` : "needs scored transactions with ground truth"}
        />
      </div>
      <div className="grid-2">
        <Panel
          title="Score distribution"
          subtitle={
            d.histogramSource === "transactions"
              ? "every scored transaction in the window, flagged and passed"
              : d.histogramSource === "frauds"
                ? "flagged transactions only: no scored transactions stored in the window"
                : "no scores in the window"
          }
        >
          {d.histogramSource === "none" ? (
            <p className="muted empty-chart">Nothing was scored in the {w.label}.</p>
          ) : (
            <StackedColumns
              title="Score histogram"
              columns={bins.map((b, i) => ({
                tick: i % 4 === 0 ? (i / HISTOGRAM_BINS).toFixed(1) : "",
                title: `score ${(i / HISTOGRAM_BINS).toFixed(2)}–${((i + 1) / HISTOGRAM_BINS).toFixed(2)}`,
                values: { flagged: b.flagged, passed: b.passed },
              }))}
              series={[
                { key: "passed", label: "passed", color: "var(--neutral-bar)" },
                { key: "flagged", label: "flagged", color: "var(--risk-high)" },
              ]}
              yUnit="transactions"
              xLabel="anomaly score (bins of 0.05)"
            />
          )}
        </Panel>
        <Panel title="Alerts per day" subtitle="by analyst label, UTC days">
          {d.perDay.length === 0 ? (
            <p className="muted empty-chart">No alerts in the {w.label}.</p>
          ) : (
            <StackedColumns
              title="Alerts per day"
              columns={days.map((r, i) => ({
                tick: sparseTick(i, days.length, formatTime(r.day).slice(5, 10)),
                title: formatTime(r.day).slice(0, 10),
                values: { confirmed: r.confirmed, false_positive: r.false_positive, unlabelled: r.unlabelled },
              }))}
              series={[
                { key: "confirmed", label: "confirmed fraud", color: "var(--label-fraud)" },
                { key: "false_positive", label: "false positive", color: "var(--label-fp)" },
                { key: "unlabelled", label: "unlabelled", color: "var(--neutral-bar)" },
              ]}
              yUnit="alerts per day"
              xLabel="day of detection (UTC)"
            />
          )}
        </Panel>
      </div>
    </>
  );
}
