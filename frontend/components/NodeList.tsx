// A compact status line per node for the Overview; the Cluster page has the rest.
import Link from "next/link";
import { formatAge, formatCompact } from "@/lib/format";

export interface NodeBrief {
  node: string;
  state: string;
  heartbeat_at: Date;
  transactions_per_s: number;
  consumer_lag: string;
  active_profiles: number;
}

export function nodeHealth(n: { state: string; heartbeat_at: Date }, now: Date, staleAfterS: number): "ok" | "stale" | "stopped" {
  if (n.state === "stopped") return "stopped";
  return now.getTime() - new Date(n.heartbeat_at).getTime() > staleAfterS * 1000 ? "stale" : "ok";
}

export function NodeList({ nodes, now, staleAfterS }: { nodes: NodeBrief[]; now: Date; staleAfterS: number }) {
  if (nodes.length === 0) {
    return <p className="muted">No node has reported yet (node_status is empty). Start one with <code>rtad node</code>.</p>;
  }
  return (
    <ul className="node-list">
      {nodes.map((n) => {
        const health = nodeHealth(n, now, staleAfterS);
        return (
          <li key={n.node} data-health={health}>
            <span className={`health health-${health}`} title={health} />
            <Link href="/cluster" className="mono">{n.node}</Link>
            <span className="muted">{n.state}{health === "stale" ? " · no heartbeat" : ""}</span>
            <span className="node-figures">
              {formatCompact(n.transactions_per_s)} tx/s · lag {formatCompact(Number(n.consumer_lag))} · {formatAge(n.heartbeat_at, now)}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
