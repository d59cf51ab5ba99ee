// Anomalies: the filtered, sorted, paginated table and its export.
import type { Metadata } from "next";
import { AnomalyFilters } from "@/components/AnomalyFilters";
import { AnomalyTable } from "@/components/AnomalyTable";
import { Pagination } from "@/components/Pagination";
import { EmptyState, ErrorState } from "@/components/States";
import { anomalyQueryParams, isFiltered, parseAnomalyQuery, TIME_RANGES } from "@/lib/anomalyQuery";
import { load } from "@/lib/load";
import { loadAnomalyPage, loadFilterChoices } from "@/lib/queries/anomalies";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Anomalies" };

export default async function AnomaliesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const q = parseAnomalyQuery(await searchParams);
  const now = new Date();
  const result = await load(() => Promise.all([loadAnomalyPage(q, now), loadFilterChoices()]));
  // The export gets the preset range as an absolute start, so it holds the
  // rows this page counted, not those of a window that moved on meanwhile.
  const exportFilter = q.filter.range
    ? {
        ...q.filter,
        range: null,
        from: new Date(Math.max(now.getTime() - TIME_RANGES[q.filter.range] * 1000, q.filter.from?.getTime() ?? 0)),
      }
    : q.filter;
  const exportParams = anomalyQueryParams({ filter: exportFilter, sort: q.sort, dir: q.dir });
  if (!result.ok) {
    return (
      <>
        <div className="page-head"><h1>Anomalies</h1></div>
        <ErrorState error={result.error} />
      </>
    );
  }
  const [page, choices] = result.data;
  return (
    <>
      <div className="page-head">
        <h1>Anomalies</h1>
        <div className="head-actions">
          <a className="btn" href={`/api/anomalies/export?format=csv&${exportParams}`} download data-testid="export-csv">Export CSV</a>
          <a className="btn" href={`/api/anomalies/export?format=json&${exportParams}`} download data-testid="export-json">Export JSON</a>
        </div>
      </div>
      <AnomalyFilters q={q} locations={choices.locations} categories={choices.categories} />
      {q.problems.length > 0 && (
        <div className="notice" role="alert">
          <strong>Some filter values were ignored:</strong>
          <ul>{q.problems.map((p) => <li key={p}>{p}</li>)}</ul>
        </div>
      )}
      {page.rows.length === 0 ? (
        isFiltered(q.filter) || q.page > 1 ? (
          <EmptyState title="No anomaly matches these filters">
            <p>Widen the time range or remove a filter.</p>
          </EmptyState>
        ) : (
          <EmptyState title="No anomalies yet">
            <p>The frauds table is empty. Rows appear here once an rtad node flags a transaction.</p>
          </EmptyState>
        )
      ) : (
        <div className="panel flush">
          <Pagination q={q} count={page.count} more={page.more} shown={page.rows.length} />
          <AnomalyTable rows={page.rows} q={q} />
          <Pagination q={q} count={page.count} more={page.more} shown={page.rows.length} />
        </div>
      )}
    </>
  );
}
