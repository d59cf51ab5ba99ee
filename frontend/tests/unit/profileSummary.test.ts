import { describe, expect, it } from "vitest";
import { readProfileSummary } from "../../lib/profileSummary";

describe("readProfileSummary", () => {
  it("reads the documented shape", () => {
    const s = readProfileSummary({
      countries: { DE: 30, AT: 10 },
      categories: [{ name: "grocery", share: 0.6 }, { name: "travel", share: 0.4 }],
      amount_range: { min: 12, max: 180, median: 40, currency: "EUR" },
      active_hours: Array.from({ length: 24 }, (_, h) => (h === 9 ? 5 : 0)),
    });
    expect(s.countries).toEqual([{ name: "DE", share: 0.75 }, { name: "AT", share: 0.25 }]);
    expect(s.categories[0]).toEqual({ name: "grocery", share: 0.6 });
    expect(s.amount).toEqual({ min: 12, max: 180, median: 40, currency: "EUR" });
    expect(s.hours?.[9]).toBe(5);
  });
  it("accepts plain lists and hour lists", () => {
    const s = readProfileSummary({ usual_countries: ["DE", "FR"], active_hours: [8, 9, 18], amount_min: 1, amount_max: 9 });
    expect(s.countries).toEqual([{ name: "DE", share: null }, { name: "FR", share: null }]);
    expect(s.hours?.filter((h) => h > 0)).toHaveLength(3);
    expect(s.amount).toMatchObject({ min: 1, max: 9 });
  });
  it("says 'not recorded' (empty) for anything else rather than failing", () => {
    for (const raw of [null, undefined, "x", 5, [], { countries: 3, active_hours: "no" }]) {
      expect(readProfileSummary(raw)).toEqual({ countries: [], categories: [], amount: null, hours: null });
    }
  });
});
