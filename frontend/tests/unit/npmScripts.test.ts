import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import config from "../../vitest.config";

// `npm run test:browser` once named a project that did not exist ("No
// projects matched the filter"): every script's project and folder must.
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
const scripts: Record<string, string> = pkg.scripts;
const projects = (config.test?.projects ?? []).map((p) =>
  typeof p === "object" && p !== null && "test" in p ? p.test?.name : undefined,
);

describe("npm scripts", () => {
  it("run the unit, integration and browser tests by name", () => {
    for (const name of ["test", "test:unit", "test:integration", "test:browser"])
      expect(scripts[name], name).toMatch(/^vitest run/);
  });

  it("name only vitest projects and folders that exist", () => {
    for (const [name, line] of Object.entries(scripts)) {
      if (!line.startsWith("vitest")) continue;
      const args = line.split(/\s+/).slice(2);
      for (let i = 0; i < args.length; ++i) {
        if (args[i] === "--project") expect(projects, `${name}: ${line}`).toContain(args[++i]);
        else if (!args[i].startsWith("-")) {
          const files = readdirSync(new URL(`../../${args[i]}`, import.meta.url));
          expect(files.some((f) => f.endsWith(".test.ts")), `${name}: ${args[i]}`).toBe(true);
        }
      }
    }
  });
});
