#!/usr/bin/env node
// Starts `next dev` or `next start` on the address rtad's settings name:
// RTAD_DASHBOARD_PORT (default 3000) and RTAD_DASHBOARD_HOST (default
// 127.0.0.1, so the dashboard is private unless exposed on purpose).
// The database comes from RTAD_PG_URL / DATABASE_URL / .rtad/services.env,
// read by lib/env.ts at request time, not here.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";

const mode = process.argv[2];
if (mode !== "dev" && mode !== "start") {
  console.error("usage: run-next.mjs dev|start");
  process.exit(2);
}
const port = process.env.RTAD_DASHBOARD_PORT || "3000";
const host = process.env.RTAD_DASHBOARD_HOST || "127.0.0.1";
if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
  console.error(`RTAD_DASHBOARD_PORT = '${port}': not a port number (1-65535)`);
  process.exit(2);
}
const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
const child = spawn(process.execPath, [nextBin, mode, "-p", port, "-H", host], {
  stdio: "inherit",
  env: { NEXT_TELEMETRY_DISABLED: "1", ...process.env },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
