"use client";
// New anomalies as they are committed: one EventSource on /api/live, fed by
// the server's single LISTEN connection. Also refreshes the server-rendered
// figures around it, at most every REFRESH_EVERY_MS, so counts follow the
// feed without polling when nothing happens.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { LiveAnomaly } from "@/lib/liveListener";
import { formatMoney, formatTime } from "@/lib/format";

const MAX_ITEMS = 50;
const REFRESH_EVERY_MS = 10_000;

type FeedState = "connecting" | "listening" | "down";

const STATE_TEXT: Record<FeedState, string> = {
  connecting: "Connecting…",
  listening: "Live",
  down: "Reconnecting…",
};

export function mergeFeed(fresh: LiveAnomaly[], older: LiveAnomaly[]): LiveAnomaly[] {
  const seen = new Set<string>();
  const out: LiveAnomaly[] = [];
  for (const a of [...fresh, ...older]) {
    if (seen.has(a.transaction_id)) continue;
    seen.add(a.transaction_id);
    out.push(a);
    if (out.length >= MAX_ITEMS) break;
  }
  return out;
}

export function LiveFeed({ initial, refreshPage = true }: { initial: LiveAnomaly[]; refreshPage?: boolean }) {
  const router = useRouter();
  // Held in a ref so a new router object never reopens the stream.
  const routerRef = useRef(router);
  routerRef.current = router;
  const [fresh, setFresh] = useState<LiveAnomaly[]>([]);
  const [state, setState] = useState<FeedState>("connecting");
  const [message, setMessage] = useState<string | undefined>();
  const lastRefresh = useRef(0);
  const pendingRefresh = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const source = new EventSource("/api/live");
    source.addEventListener("status", (e) => {
      const s = JSON.parse((e as MessageEvent).data) as { state: FeedState; message?: string };
      setState(s.state);
      setMessage(s.message);
    });
    source.addEventListener("anomaly", (e) => {
      const a = JSON.parse((e as MessageEvent).data) as LiveAnomaly;
      setFresh((prev) => mergeFeed([a], prev));
      if (!refreshPage || pendingRefresh.current) return;
      const wait = Math.max(0, lastRefresh.current + REFRESH_EVERY_MS - Date.now());
      pendingRefresh.current = setTimeout(() => {
        pendingRefresh.current = null;
        lastRefresh.current = Date.now();
        routerRef.current.refresh();
      }, wait);
    });
    // EventSource reconnects by itself; until then the feed says so.
    source.onerror = () => setState("down");
    return () => {
      source.close();
      if (pendingRefresh.current) clearTimeout(pendingRefresh.current);
      pendingRefresh.current = null;
    };
  }, [refreshPage]);

  const freshIds = new Set(fresh.map((a) => a.transaction_id));
  const items = mergeFeed(fresh, initial);
  return (
    <div className="feed">
      <div className="feed-status" data-state={state} title={message}>
        <span className="dot" /> {STATE_TEXT[state]}
        {message && state !== "listening" && <span className="feed-message">{message}</span>}
      </div>
      {items.length === 0 ? (
        <p className="muted feed-empty">No anomalies yet. New ones appear here as nodes commit them.</p>
      ) : (
        <ol className="feed-list" aria-label="Latest anomalies">
          {items.map((a) => (
            <li key={a.transaction_id} className={freshIds.has(a.transaction_id) ? "fresh" : ""} data-transaction-id={a.transaction_id}>
              <span className={`feed-risk risk-bg-${a.risk_level}`} title={`${a.risk_level} risk`} />
              <div className="feed-main">
                <div>
                  <Link href={`/anomalies/${encodeURIComponent(a.transaction_id)}`} className="mono">{a.transaction_id}</Link>
                  <span className="feed-amount">{formatMoney(a.amount, a.currency)}</span>
                </div>
                <div className="feed-meta">
                  <Link href={`/users/${encodeURIComponent(a.user_id)}`}>{a.user_id}</Link> · {a.location}
                  {a.merchant_category ? ` · ${a.merchant_category}` : ""} · score {Number(a.detection_score).toFixed(3)}
                </div>
              </div>
              <time className="feed-time mono" dateTime={a.detection_time}>{formatTime(a.detection_time).slice(11)}</time>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
