// The LISTEN fan-out against real PostgreSQL: one connection serves every
// subscriber, and a lost connection comes back by itself.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import { AnomalyListener, type LiveEvent } from "../../lib/liveListener";
import { insertFrauds } from "../support/fixtures";

const APP_NAME = `rtad-listener-test-${process.pid}`;
let db: pg.Pool;
let listener: AnomalyListener;

function until(events: LiveEvent[], pred: (e: LiveEvent) => boolean, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (events.some(pred)) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out; saw ${JSON.stringify(events.map((e) => e.type === "status" ? e.state : e.anomaly.transaction_id))}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

beforeAll(() => {
  db = new pg.Pool({ connectionString: inject("dbUrl") });
  listener = new AnomalyListener(() => inject("dbUrl"), APP_NAME);
});
afterAll(async () => {
  listener.close();
  await db.end();
});

describe("AnomalyListener", () => {
  it("fans one notification out to every subscriber over one connection", async () => {
    const a: LiveEvent[] = [];
    const b: LiveEvent[] = [];
    const leaveA = listener.subscribe((e) => a.push(e));
    const leaveB = listener.subscribe((e) => b.push(e));
    await until(a, (e) => e.type === "status" && e.state === "listening");
    const conns = await db.query("select count(*)::int as n from pg_stat_activity where application_name = $1", [APP_NAME]);
    expect(conns.rows[0].n).toBe(1);
    await insertFrauds(db, [{ transaction_id: "ll-1", user_id: "carol", amount: 12.5, risk_level: "low" }]);
    const isLl1 = (e: LiveEvent) => e.type === "anomaly" && e.anomaly.transaction_id === "ll-1";
    await until(a, isLl1);
    await until(b, isLl1);
    const got = a.find(isLl1) as Extract<LiveEvent, { type: "anomaly" }>;
    expect(got.anomaly).toMatchObject({ user_id: "carol", amount: 12.5, risk_level: "low" });
    leaveA();
    leaveB();
  });

  it("reconnects after its connection is killed and keeps delivering", async () => {
    const events: LiveEvent[] = [];
    const leave = listener.subscribe((e) => events.push(e));
    await until(events, (e) => e.type === "status" && e.state === "listening");
    await db.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1", [APP_NAME]);
    await until(events, (e) => e.type === "status" && e.state === "down");
    const downAt = events.findIndex((e) => e.type === "status" && e.state === "down");
    await until(events, (e) => e.type === "status" && e.state === "listening" && events.indexOf(e) > downAt);
    await insertFrauds(db, [{ transaction_id: "ll-2" }]);
    await until(events, (e) => e.type === "anomaly" && e.anomaly.transaction_id === "ll-2");
    leave();
  });
});
