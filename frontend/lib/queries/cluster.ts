// The Cluster page: node_status as the nodes report it, and the offsets
// they committed per partition.
import { query } from "../db";

export interface NodeRow {
  node: string;
  host: string | null;
  pid: number | null;
  mode: string | null;
  state: string;
  started_at: Date;
  heartbeat_at: Date;
  admin_endpoint: string | null;
  partitions: number[];
  active_profiles: number;
  memory_bytes: string;
  transactions_total: string;
  anomalies_total: string;
  quarantined_total: string;
  transactions_per_s: number;
  consumer_lag: string;
  rebalances: number;
  last_rebalance_at: Date | null;
  last_rebalance_ms: number | null;
  last_rebalance_users: number | null;
}

export interface OffsetRow {
  consumer_group: string;
  topic: string;
  kafka_partition: number;
  next_offset: string;
  node: string | null;
  updated_at: Date;
}

export async function loadCluster(): Promise<{ nodes: NodeRow[]; offsets: OffsetRow[]; quarantined: number; now: Date }> {
  const [nodes, offsets, quarantined, now] = await Promise.all([
    query<NodeRow>(
      `select node, host, pid, mode, state, started_at, heartbeat_at, admin_endpoint, partitions, active_profiles,
              memory_bytes::text, transactions_total::text, anomalies_total::text, quarantined_total::text,
              transactions_per_s, consumer_lag::text, rebalances, last_rebalance_at, last_rebalance_ms, last_rebalance_users
         from node_status order by node`,
    ),
    query<OffsetRow>(
      `select consumer_group, topic, kafka_partition, next_offset::text, node, updated_at
         from kafka_offsets order by consumer_group, topic, kafka_partition`,
    ),
    query<{ n: number }>("select count(*)::int as n from quarantine"),
    // The database's clock, so heartbeat ages do not depend on this server's.
    query<{ now: Date }>("select now() as now"),
  ]);
  return { nodes, offsets, quarantined: quarantined[0].n, now: now[0].now };
}
