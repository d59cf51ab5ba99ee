// Shared by the tests and the benchmark: build the dashboard when its
// sources changed, and run `next start` (through scripts/run-next.mjs, as
// `npm start` does) on a free loopback port.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SOURCES = ["app", "components", "lib", "next.config.ts", "package.json", "package-lock.json", "tsconfig.json"];
const START_TIMEOUT_MS = 60_000;

function newestMtime(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((m, f) => Math.max(m, newestMtime(path.join(p, f))), st.mtimeMs);
}

/** Runs `next build` unless .next holds a build newer than every source file. */
export function ensureBuild() {
  const buildId = path.join(ROOT, ".next", "BUILD_ID");
  const sourcesAt = Math.max(...SOURCES.map((s) => path.join(ROOT, s)).filter((p) => fs.existsSync(p)).map(newestMtime));
  if (fs.existsSync(buildId) && fs.statSync(buildId).mtimeMs > sourcesAt) return false;
  const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
  const r = spawnSync(process.execPath, [nextBin, "build"], { cwd: ROOT, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`next build failed:\n${r.stdout}\n${r.stderr}`);
  return true;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts the production server; env entries set to undefined are removed. */
export async function startServer(env) {
  const port = await freePort();
  const childEnv = { ...process.env, RTAD_DASHBOARD_PORT: String(port), RTAD_DASHBOARD_HOST: "127.0.0.1", NODE_ENV: "production" };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const child = spawn(process.execPath, [path.join(ROOT, "scripts", "run-next.mjs"), "start"], { cwd: ROOT, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dashboard server exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`${url}/signin`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`dashboard server did not answer within ${START_TIMEOUT_MS} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    process: child,
    log: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}
