import { describe, expect, it } from "vitest";
import { bucketColumns, breakdowns } from "../../components/overview/charts";
import { amountsInMainCurrency, rollupSplit } from "../../lib/queries/overview";

describe("overview data shaping", () => {
  it("gives every bucket of the window a column, empty ones included", () => {
    const from = new Date("2024-05-01T00:00:00Z");
    const now = new Date("2024-05-01T01:00:00Z");
    const cols = bucketColumns([{ bucket: new Date("2024-05-01T00:10:00Z"), risk_level: "high", n: 3 }], from, now, 600);
    expect(cols).toHaveLength(6);
    expect(cols.map((c) => c.values.high ?? 0)).toEqual([0, 3, 0, 0, 0, 0]);
    expect(cols[0].title).toBe("2024-05-01 00:00:00 UTC");
  });
  it("starts buckets on whole multiples of their size, as date_bin does", () => {
    // A 24 h window from 10:17:23: the first hourly column is 10:00, and the
    // columns run to the one holding now.
    const from = new Date("2024-05-01T10:17:23.456Z");
    const now = new Date("2024-05-02T10:17:23.456Z");
    const cols = bucketColumns([{ bucket: new Date("2024-05-01T10:00:00Z"), risk_level: "low", n: 2 }], from, now, 3600);
    expect(cols).toHaveLength(25);
    expect(cols[0].title).toBe("2024-05-01 10:00:00 UTC");
    expect(cols[0].values).toEqual({ low: 2 });
    expect(cols[24].title).toBe("2024-05-02 10:00:00 UTC");
    // Days start at midnight UTC.
    expect(bucketColumns([], from, now, 86_400)[0].title).toBe("2024-05-01 00:00:00 UTC");
  });
  it("reads the rollup from the first whole hour of the window", () => {
    expect(rollupSplit(new Date("2024-05-01T10:17:23.456Z"))).toEqual(new Date("2024-05-01T11:00:00Z"));
    expect(rollupSplit(new Date("2024-05-01T10:00:00Z"))).toEqual(new Date("2024-05-01T10:00:00Z"));
    expect(rollupSplit(new Date("2024-05-01T10:00:00.001Z"))).toEqual(new Date("2024-05-01T11:00:00Z"));
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
