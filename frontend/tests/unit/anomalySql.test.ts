import { describe, expect, it } from "vitest";
import { emptyFilter, type AnomalyFilter } from "../../lib/anomalyQuery";
import { COUNT_CAP, countSql, exportSql, orderClause, pageSql, whereClause } from "../../lib/anomalySql";

const f = (over: Partial<AnomalyFilter>): AnomalyFilter => ({ ...emptyFilter(), ...over });
const NOW = new Date("2024-05-10T12:00:00Z");

describe("whereClause", () => {
  it("is empty without a filter", () => {
    expect(whereClause(emptyFilter())).toEqual({ text: "", values: [] });
  });

  it.each([
    ["one location", { locations: ["DE"] }, "where location = $1", ["DE"]],
    ["several locations", { locations: ["DE", "FR"] }, "where location = any($1::text[])", [["DE", "FR"]]],
    ["risk", { risks: ["high"] }, "where risk_level = $1", ["high"]],
    ["score range", { scoreMin: 0.5, scoreMax: 0.9 }, "where detection_score >= $1 and detection_score <= $2", [0.5, 0.9]],
    ["user", { user: "alice" }, "where user_id = $1", ["alice"]],
    ["category", { categories: ["travel", "crypto"] }, "where merchant_category = any($1::text[])", [["travel", "crypto"]]],
    ["model", { models: ["global"] }, "where model_used = $1", ["global"]],
    ["unlabelled", { label: "unlabelled" }, "where is_confirmed_fraud is null", []],
    ["labelled", { label: "labelled" }, "where is_confirmed_fraud is not null", []],
    ["confirmed", { label: "confirmed_fraud" }, "where is_confirmed_fraud = true", []],
    ["false positive", { label: "false_positive" }, "where is_confirmed_fraud = false", []],
    ["explicit range", { from: new Date("2024-05-01Z"), to: new Date("2024-05-02Z") }, "where detection_time >= $1 and detection_time < $2", [new Date("2024-05-01Z"), new Date("2024-05-02Z")]],
  ] as [string, Partial<AnomalyFilter>, string, unknown[]][])("filters by %s", (_name, over, text, values) => {
    expect(whereClause(f(over), NOW)).toEqual({ text, values });
  });

  it("turns a preset range into a start relative to now", () => {
    expect(whereClause(f({ range: "1h" }), NOW)).toEqual({ text: "where detection_time >= $1", values: [new Date("2024-05-10T11:00:00Z")] });
  });

  it("keeps the later start when a preset and an explicit from meet", () => {
    const later = new Date("2024-05-10T11:30:00Z");
    expect(whereClause(f({ range: "24h", from: later }), NOW).values).toEqual([later]);
  });

  it("combines filters with and, numbering parameters in order", () => {
    const w = whereClause(f({ risks: ["high"], user: "bob", scoreMin: 0.8 }), NOW);
    expect(w.text).toBe("where risk_level = $1 and detection_score >= $2 and user_id = $3");
    expect(w.values).toEqual(["high", 0.8, "bob"]);
  });

  it("never puts a value into the SQL text", () => {
    const evil = "x'; drop table frauds; --";
    const w = whereClause(f({ user: evil, locations: [evil], categories: [evil, "y"] }), NOW);
    expect(w.text).not.toContain("drop");
    expect(w.values).toContain(evil);
  });
});

describe("order, page, count and export", () => {
  it("orders by whitelisted columns with a tie-breaker", () => {
    expect(orderClause("amount", "asc")).toBe("order by amount asc, transaction_id asc");
    expect(orderClause("detected", "desc")).toBe("order by detection_time desc, transaction_id desc");
  });

  it("pages with limit and offset after the filter's parameters", () => {
    const s = pageSql(f({ risks: ["low"] }), "score", "desc", 3, 25, NOW);
    expect(s.text).toMatch(/from frauds where risk_level = \$1 order by detection_score desc, transaction_id desc limit \$2 offset \$3$/);
    expect(s.values).toEqual(["low", 25, 50]);
  });

  it("caps the count so it stays cheap on millions of rows", () => {
    const s = countSql(f({ user: "u" }), NOW);
    expect(s.text).toContain(`limit ${COUNT_CAP + 1}`);
    expect(s.values).toEqual(["u"]);
  });

  it("exports the same rows as the table, in its order, without a limit", () => {
    const filter = f({ models: ["user", "blend"], label: "unlabelled" });
    const e = exportSql(filter, "amount", "asc", NOW);
    const p = pageSql(filter, "amount", "asc", 1, 50, NOW);
    expect(p.text.startsWith(e.text)).toBe(true);
    expect(e.text).not.toMatch(/ limit \$| offset \$/);
    expect(e.values).toEqual(p.values.slice(0, e.values.length));
  });
});
