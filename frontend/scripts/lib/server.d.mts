import type { ChildProcess } from "node:child_process";
export declare const ROOT: string;
export declare function ensureBuild(): boolean;
export declare function freePort(): Promise<number>;
export interface RunningServer {
  url: string;
  process: ChildProcess;
  log: () => string;
  stop(): Promise<void>;
}
export declare function startServer(env: Record<string, string | undefined>): Promise<RunningServer>;
