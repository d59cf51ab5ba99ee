// The one PostgreSQL connection per server process that LISTENs on
// rtad_anomalies; every Server-Sent Events client subscribes here in memory.
// A browser tab therefore costs no database connection, and the feed is as
// live as the NOTIFY the frauds insert trigger sends at commit.
import { Client, type Notification } from "pg";
import { resolvePgUrl } from "./env";

export const ANOMALY_CHANNEL = "rtad_anomalies";
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;
// Keep the connection a while after the last tab closes, so a reload does
// not tear it down and rebuild it.
const IDLE_CLOSE_MS = 30_000;

/** The payload of rtad_anomaly_notify() in 001_schema.sql. */
export interface LiveAnomaly {
  transaction_id: string;
  user_id: string;
  amount: number;
  currency: string;
  location: string;
  merchant_category: string | null;
  detection_score: number;
  risk_level: string;
  model_used: string;
  detection_time: string;
}

export type ListenerState = "connecting" | "listening" | "down";
export type LiveEvent =
  | { type: "anomaly"; anomaly: LiveAnomaly }
  | { type: "status"; state: ListenerState; message?: string };
export type Subscriber = (event: LiveEvent) => void;

export function parseAnomalyPayload(payload: string | undefined): LiveAnomaly | null {
  if (!payload) return null;
  try {
    const v = JSON.parse(payload);
    if (typeof v?.transaction_id !== "string" || typeof v?.user_id !== "string") return null;
    return v as LiveAnomaly;
  } catch {
    return null;
  }
}

export class AnomalyListener {
  private readonly subscribers = new Set<Subscriber>();
  private client: Client | null = null;
  private state: ListenerState = "down";
  private message: string | undefined;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly connectionString: () => string | null,
    /** Shown in pg_stat_activity, so an operator can tell this connection apart. */
    private readonly applicationName = "rtad-dashboard-live",
  ) {}

  /** Adds a subscriber, tells it the current state, and returns how to leave. */
  subscribe(fn: Subscriber): () => void {
    this.subscribers.add(fn);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    fn({ type: "status", state: this.state, message: this.message });
    if (!this.client && !this.retryTimer) void this.connect();
    return () => {
      this.subscribers.delete(fn);
      if (this.subscribers.size === 0 && !this.idleTimer) {
        this.idleTimer = setTimeout(() => this.close(), IDLE_CLOSE_MS);
        this.idleTimer.unref?.();
      }
    };
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  private broadcast(event: LiveEvent) {
    for (const fn of this.subscribers) {
      try {
        fn(event);
      } catch {
        // One broken stream must not starve the others.
      }
    }
  }

  private setState(state: ListenerState, message?: string) {
    this.state = state;
    this.message = message;
    this.broadcast({ type: "status", state, message });
  }

  private async connect() {
    const url = this.connectionString();
    if (!url) {
      this.setState("down", "No database configured (RTAD_PG_URL).");
      this.scheduleRetry();
      return;
    }
    this.setState("connecting");
    const client = new Client({ connectionString: url, application_name: this.applicationName, connectionTimeoutMillis: 3000 });
    this.client = client;
    const lost = (reason: string) => {
      if (this.client !== client) return;
      this.client = null;
      client.removeAllListeners();
      client.on("error", () => {});
      void client.end().catch(() => {});
      this.setState("down", reason);
      this.scheduleRetry();
    };
    client.on("error", (e) => lost(`Live feed lost the database: ${e.message}`));
    client.on("end", () => lost("Live feed lost the database connection."));
    client.on("notification", (n: Notification) => {
      if (n.channel !== ANOMALY_CHANNEL) return;
      const anomaly = parseAnomalyPayload(n.payload);
      if (anomaly) this.broadcast({ type: "anomaly", anomaly });
    });
    try {
      await client.connect();
      await client.query(`listen ${ANOMALY_CHANNEL}`);
      if (this.client !== client) return;
      this.retryMs = RETRY_MIN_MS;
      this.setState("listening");
    } catch (e) {
      lost(`Live feed cannot reach the database: ${(e as Error).message}`);
    }
  }

  private scheduleRetry() {
    if (this.subscribers.size === 0 || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.subscribers.size > 0) void this.connect();
    }, this.retryMs);
    this.retryTimer.unref?.();
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  /** Ends the database connection (last subscriber gone, or shutdown). */
  close() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.idleTimer = this.retryTimer = null;
    const c = this.client;
    this.client = null;
    this.state = "down";
    if (c) {
      c.removeAllListeners();
      c.on("error", () => {});
      void c.end().catch(() => {});
    }
  }
}

const globalKey = Symbol.for("rtad.dashboard.anomalyListener");
type Holder = { [globalKey]?: AnomalyListener };

/** The process-wide listener (kept on globalThis: route bundles share it). */
export function anomalyListener(): AnomalyListener {
  const holder = globalThis as Holder;
  holder[globalKey] ??= new AnomalyListener(() => resolvePgUrl()?.url ?? null);
  return holder[globalKey]!;
}
