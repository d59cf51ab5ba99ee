// The anomalies of one page. Sorting is a link the server answers, so the
// order is the database's, over all matching rows, not just this page.
import Link from "next/link";
import { anomalyQueryParams, type AnomalyQuery, type SortKey } from "@/lib/anomalyQuery";
import { labelStateOf, type FraudRow } from "@/lib/domain";
import { formatMoney, formatTime } from "@/lib/format";
import { LabelBadge, ModelTag, RiskBadge, ScoreCell } from "./Badges";

function SortHeader({ q, sort, children, numeric }: { q: AnomalyQuery; sort: SortKey; children: string; numeric?: boolean }) {
  const active = q.sort === sort;
  // A second click flips the direction; a new column starts with the biggest/newest.
  const dir = active && q.dir === "desc" ? "asc" : "desc";
  const href = `/anomalies?${anomalyQueryParams({ ...q, sort, dir, page: 1 })}`;
  return (
    <th className={numeric ? "num" : ""} aria-sort={active ? (q.dir === "asc" ? "ascending" : "descending") : "none"}>
      <Link href={href} className={`sort ${active ? "active" : ""}`} data-sort={sort}>
        {children} <span aria-hidden>{active ? (q.dir === "asc" ? "▲" : "▼") : "↕"}</span>
      </Link>
    </th>
  );
}

export function AnomalyTable({ rows, q }: { rows: FraudRow[]; q: AnomalyQuery }) {
  return (
    <div className="table-wrap">
      <table className="data anomalies-table">
        <thead>
          <tr>
            <SortHeader q={q} sort="detected">Detected (UTC)</SortHeader>
            <th>Transaction</th>
            <SortHeader q={q} sort="user">User</SortHeader>
            <SortHeader q={q} sort="amount" numeric>Amount</SortHeader>
            <SortHeader q={q} sort="location">Location</SortHeader>
            <th>Category</th>
            <SortHeader q={q} sort="score">Score</SortHeader>
            <th>Risk</th>
            <th>Model</th>
            <th>Label</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.transaction_id} data-transaction-id={r.transaction_id}>
              <td className="mono nowrap">{formatTime(r.detection_time)}</td>
              <td className="mono">
                <Link href={`/anomalies/${encodeURIComponent(r.transaction_id)}`}>{r.transaction_id}</Link>
              </td>
              <td>
                <Link href={`/users/${encodeURIComponent(r.user_id)}`}>{r.user_id}</Link>
              </td>
              <td className="num nowrap">{formatMoney(r.amount, r.currency)}</td>
              <td>{r.location}</td>
              <td>{r.merchant_category ?? "—"}</td>
              <td><ScoreCell score={r.detection_score} threshold={r.threshold} level={r.risk_level} /></td>
              <td><RiskBadge level={r.risk_level} /></td>
              <td><ModelTag model={r.model_used} /></td>
              <td><LabelBadge state={labelStateOf(r.is_confirmed_fraud)} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
