// Cluster: every node as it reports itself in node_status, and the offsets
// committed per partition.
import type { Metadata } from "next";
import { nodeHealth } from "@/components/NodeList";
import { Panel, StatCard } from "@/components/Panel";
import { EmptyState, ErrorState } from "@/components/States";
import { formatAge, formatBytes, formatCompact, formatDecimal, formatDuration, formatInt, formatTime } from "@/lib/format";
import { load } from "@/lib/load";
import { loadCluster } from "@/lib/queries/cluster";
import { NODE_STALE_AFTER_S } from "@/lib/queries/overview";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Cluster" };

export default async function ClusterPage() {
  const result = await load(loadCluster);
  const head = <div className="page-head"><h1>Cluster</h1></div>;
  if (!result.ok) return <>{head}<ErrorState error={result.error} /></>;
  const { nodes, offsets, quarantined, now } = result.data;
  if (nodes.length === 0) {
    return (
      <>
        {head}
        <EmptyState title="No node has reported yet">
          <p>node_status is empty. Each <code>rtad node</code> writes its row at start and refreshes it with every heartbeat.</p>
        </EmptyState>
      </>
    );
  }
  const live = nodes.filter((n) => nodeHealth(n, now, NODE_STALE_AFTER_S) === "ok");
  const sum = (f: (n: (typeof nodes)[number]) => number) => live.reduce((s, n) => s + f(n), 0);
  return (
    <>
      {head}
      <p className="page-note">As of {formatTime(now)} UTC (database clock). A node without a heartbeat for {NODE_STALE_AFTER_S} s counts as stale.</p>
      <div className="stats">
        <StatCard label="Nodes live" value={`${live.length} / ${nodes.length}`} tone={live.length === nodes.length ? "ok" : "warn"} />
        <StatCard label="Transactions / s" value={formatDecimal(sum((n) => n.transactions_per_s), 1)} sub="sum over live nodes" />
        <StatCard label="Consumer lag" value={formatCompact(sum((n) => Number(n.consumer_lag)))} sub="messages, live nodes" />
        <StatCard label="Active profiles" value={formatCompact(sum((n) => n.active_profiles))} sub="in memory" />
        <StatCard label="Memory" value={formatBytes(sum((n) => Number(n.memory_bytes)))} sub="resident, live nodes" />
        <StatCard label="Quarantined" value={formatInt(quarantined)} sub="messages rejected, all time" tone={quarantined > 0 ? "warn" : undefined} />
      </div>
      <Panel title="Nodes" className="flush">
        <div className="table-wrap">
          <table className="data" aria-label="Nodes">
            <thead>
              <tr>
                <th>Node</th><th>State</th><th>Heartbeat</th><th>Up</th><th>Mode</th><th>Partitions</th>
                <th className="num">Profiles</th><th className="num">Memory</th><th className="num">Tx/s</th><th className="num">Lag</th>
                <th className="num">Scored</th><th className="num">Anomalies</th><th className="num">Quarantined</th><th>Rebalances</th><th>Admin</th>
              </tr>
            </thead>
            <tbody>
              {nodes.map((n) => {
                const health = nodeHealth(n, now, NODE_STALE_AFTER_S);
                return (
                  <tr key={n.node} data-node={n.node} data-health={health}>
                    <td className="mono"><span className={`health health-${health}`} /> {n.node}<div className="muted small">{n.host ?? "?"}{n.pid ? ` · pid ${n.pid}` : ""}</div></td>
                    <td>{n.state}{health === "stale" && <div className="error small">no heartbeat</div>}</td>
                    <td className="nowrap">{formatAge(n.heartbeat_at, now)}</td>
                    <td className="nowrap">{formatDuration((now.getTime() - new Date(n.started_at).getTime()) / 1000)}</td>
                    <td>{n.mode ?? "—"}</td>
                    <td className="mono">{n.partitions.length ? n.partitions.join(", ") : "none"}</td>
                    <td className="num">{formatInt(n.active_profiles)}</td>
                    <td className="num nowrap">{formatBytes(n.memory_bytes)}</td>
                    <td className="num">{formatDecimal(n.transactions_per_s, 1)}</td>
                    <td className="num">{formatInt(n.consumer_lag)}</td>
                    <td className="num">{formatInt(n.transactions_total)}</td>
                    <td className="num">{formatInt(n.anomalies_total)}</td>
                    <td className="num">{formatInt(n.quarantined_total)}</td>
                    <td className="small">
                      {formatInt(n.rebalances)}
                      {n.last_rebalance_at && (
                        <div className="muted">last {formatAge(n.last_rebalance_at, now)}{n.last_rebalance_ms != null ? `, ${formatInt(n.last_rebalance_ms)} ms` : ""}{n.last_rebalance_users != null ? `, ${formatInt(n.last_rebalance_users)} users moved` : ""}</div>
                      )}
                    </td>
                    <td className="mono small">{n.admin_endpoint ?? "—"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Panel>
      <Panel title="Partitions" subtitle="next offset committed with the rows (the watermark: everything below it is stored)" className="flush">
        {offsets.length === 0 ? (
          <p className="muted pad">No offsets committed yet (kafka_offsets is empty).</p>
        ) : (
          <div className="table-wrap">
            <table className="data" aria-label="Partitions">
              <thead><tr><th>Consumer group</th><th>Topic</th><th className="num">Partition</th><th className="num">Next offset</th><th>Node</th><th>Updated</th></tr></thead>
              <tbody>
                {offsets.map((o) => (
                  <tr key={`${o.consumer_group}/${o.topic}/${o.kafka_partition}`}>
                    <td>{o.consumer_group}</td><td>{o.topic}</td><td className="num">{o.kafka_partition}</td>
                    <td className="num mono">{formatInt(o.next_offset)}</td><td className="mono">{o.node ?? "—"}</td><td>{formatAge(o.updated_at, now)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
    </>
  );
}
