import Link from "next/link";
import { anomalyQueryParams, MAX_PAGE, PAGE_SIZES, type AnomalyQuery } from "@/lib/anomalyQuery";
import { formatInt } from "@/lib/format";

/** "Rows 51–100 of 1,234" with previous/next links and the page size. */
export function Pagination({ q, count, more, shown }: { q: AnomalyQuery; count: number; more: boolean; shown: number }) {
  const first = shown ? (q.page - 1) * q.pageSize + 1 : 0;
  const last = (q.page - 1) * q.pageSize + shown;
  const lastPage = more ? MAX_PAGE : Math.max(1, Math.ceil(count / q.pageSize));
  const href = (page: number, pageSize = q.pageSize) => `/anomalies?${anomalyQueryParams({ ...q, page, pageSize })}`;
  return (
    <div className="pagination" aria-label="Pages of anomalies">
      <span data-testid="row-range">
        Rows {formatInt(first)}–{formatInt(last)} of {more ? `more than ${formatInt(count)}` : formatInt(count)}
      </span>
      <span className="pager">
        {q.page > 1 ? <Link href={href(q.page - 1)} rel="prev">← Previous</Link> : <span className="disabled">← Previous</span>}
        <span>Page {formatInt(q.page)}{more ? "" : ` of ${formatInt(lastPage)}`}</span>
        {q.page < lastPage && last < (more ? Infinity : count) ? <Link href={href(q.page + 1)} rel="next">Next →</Link> : <span className="disabled">Next →</span>}
      </span>
      <span className="sizes">
        Per page:{" "}
        {PAGE_SIZES.map((s) => (s === q.pageSize ? <strong key={s}>{s}</strong> : <Link key={s} href={href(1, s)}>{s}</Link>))}
      </span>
    </div>
  );
}
