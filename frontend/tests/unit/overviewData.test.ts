import { describe, expect, it } from "vitest";
import { bucketColumns, breakdowns } from "../../components/overview/charts";
import { amountsInMainCurrency } from "../../lib/queries/overview";

describe("overview data shaping", () => {
  it("gives every bucket of the window a column, empty ones included", () => {
    const from = new Date("2024-05-01T00:00:00Z");
    const now = new Date("2024-05-01T01:00:00Z");
    const cols = bucketColumns([{ bucket: new Date("2024-05-01T00:10:00Z"), risk_level: "high", n: 3 }], from, now, 600);
    expect(cols).toHaveLength(6);
    expect(cols.map((c) => c.values.high ?? 0)).toEqual([0, 3, 0, 0, 0, 0]);
    expect(cols[0].title).toBe("2024-05-01 00:00:00 UTC");
  });
  it("adds up risk and model counts and the open ones", () => {
    const b = breakdowns([
      { risk_level: "high", model_used: "user", n: 2, unlabelled: 1 },
      { risk_level: "high", model_used: "global", n: 3, unlabelled: 3 },
      { risk_level: "low", model_used: "user", n: 1, unlabelled: 0 },
    ]);
    expect(b).toEqual({ byRisk: { low: 1, medium: 0, high: 5 }, byModel: { user: 3, global: 3 }, total: 6, unlabelled: 4 });
  });
  it("never adds amounts of different currencies", () => {
    const r = amountsInMainCurrency([
      { currency: "EUR", location: "DE", total: 100, n: 5 },
      { currency: "EUR", location: "FR", total: 300, n: 2 },
      { currency: "USD", location: "US", total: 9999, n: 3 },
    ]);
    expect(r).toEqual({ currency: "EUR", otherCurrencyRows: 3, rows: [{ location: "FR", total: 300, n: 2 }, { location: "DE", total: 100, n: 5 }] });
  });
});
