import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findServicesEnv, parseEnvFile, redactUrl, resolvePgUrl } from "../../lib/env";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rtad-env-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
fs.mkdirSync(path.join(tmp, ".rtad"));
fs.mkdirSync(path.join(tmp, "a", "b"), { recursive: true });
fs.writeFileSync(path.join(tmp, ".rtad", "services.env"), "# written by scripts/services\nRTAD_PG_URL=postgresql://rtad@127.0.0.1:1/found\nX='quoted'\n");

describe("services.env", () => {
  it("parses KEY=VALUE lines, comments and quotes", () => {
    expect(parseEnvFile("# c\n\nA=1\nB = two words \nC=\"q\"\nbad line\n")).toEqual({ A: "1", B: "two words", C: "q" });
  });
  it("is found by walking up from the working directory", () => {
    expect(findServicesEnv({}, path.join(tmp, "a", "b"))).toBe(path.join(tmp, ".rtad", "services.env"));
    expect(findServicesEnv({ RTAD_SERVICES_ENV: "/x/y.env" }, tmp)).toBe("/x/y.env");
  });
});

describe("resolvePgUrl", () => {
  const start = path.join(tmp, "a");
  it("prefers RTAD_PG_URL, then DATABASE_URL, then services.env", () => {
    expect(resolvePgUrl({ RTAD_PG_URL: "postgresql://a/1", DATABASE_URL: "postgresql://b/2" }, start)?.url).toBe("postgresql://a/1");
    expect(resolvePgUrl({ DATABASE_URL: "postgresql://b/2" }, start)).toEqual({ url: "postgresql://b/2", origin: "environment DATABASE_URL" });
    expect(resolvePgUrl({}, start)).toEqual({ url: "postgresql://rtad@127.0.0.1:1/found", origin: path.join(tmp, ".rtad", "services.env") });
  });
  it("is null when nothing configures a database", () => {
    expect(resolvePgUrl({}, os.tmpdir() === "/" ? "/" : path.parse(tmp).root)).toBeNull();
  });
  it("hides passwords in messages", () => {
    expect(redactUrl("postgresql://u:secret@h:5/db")).toBe("postgresql://u:***@h:5/db");
  });
});
