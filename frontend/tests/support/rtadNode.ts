// The real rtad binary for the end-to-end test: `rtad produce` to the real
// broker, one `rtad node`, and removal of the test's topic. Anything missing
// (binary, broker, Kafka's own tools to delete the topic) is an error that
// says what to do, never a skip.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { servicesEnvFile, serviceSetting } from "../../scripts/lib/pg-setup.mjs";
import { ROOT } from "../../scripts/lib/server.mjs";

export const RTAD = process.env.RTAD_BINARY ?? path.resolve(ROOT, "..", "build", "apps", "rtad");
const STOP_TIMEOUT_MS = 60_000;

/** The binary, or an error saying how to build it. */
export function requireBinary(): string {
  try {
    fs.accessSync(RTAD, fs.constants.X_OK);
  } catch {
    throw new Error(`${RTAD} is missing or not executable: build it with scripts/build (scripts/test does), or set RTAD_BINARY`);
  }
  return RTAD;
}

export function kafkaBootstrap(): string {
  return serviceSetting("RTAD_KAFKA_BOOTSTRAP");
}

/**
 * Kafka's jars, for its TopicCommand: rtad has no command that deletes a
 * topic. scripts/setup puts them in .rtad/cache beside services.env.
 */
export function kafkaJars(): string {
  if (process.env.RTAD_KAFKA_JARS) return process.env.RTAD_KAFKA_JARS;
  const file = servicesEnvFile();
  const cache = file ? path.join(path.dirname(file), "cache") : null;
  const dir = cache && fs.existsSync(cache) ? fs.readdirSync(cache).find((d) => /^kafka-/.test(d)) : undefined;
  if (!cache || !dir) throw new Error(`Kafka's jars not found (looked in ${cache ?? "no .rtad/cache"}): run scripts/setup, or set RTAD_KAFKA_JARS, so the test can delete its topic`);
  return path.join(cache, dir, "jars");
}

/** Runs rtad to completion; throws with its output unless it exits 0. */
export function rtad(args: string[], timeoutMs = 120_000): string {
  const r = spawnSync(requireBinary(), args, { encoding: "utf8", timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`rtad ${args.join(" ")} exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export function deleteTopic(topic: string): void {
  const r = spawnSync("java", ["-cp", `${kafkaJars()}/*`, "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", kafkaBootstrap(), "--delete", "--topic", topic], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`could not delete topic ${topic}:\n${r.stdout}\n${r.stderr}`);
}

/** One `rtad node` in its own process; its output is kept for failure messages. */
export class NodeProcess {
  readonly child: ChildProcess;
  private output = "";
  private exited: Promise<number | null>;

  constructor(globalArgs: string[], nodeArgs: string[]) {
    this.child = spawn(requireBinary(), [...globalArgs, "node", ...nodeArgs], { stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout!.on("data", (d) => (this.output += d));
    this.child.stderr!.on("data", (d) => (this.output += d));
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  log(): string {
    return this.output.slice(-4000);
  }

  running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, as an operator stops it; the exit code (null if it had to be killed). */
  async stop(): Promise<number | null> {
    if (!this.running()) return this.child.exitCode;
    const killer = setTimeout(() => this.child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    this.child.kill("SIGTERM");
    const code = await this.exited;
    clearTimeout(killer);
    return code;
  }
}
