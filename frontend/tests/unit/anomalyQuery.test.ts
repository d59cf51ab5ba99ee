import { describe, expect, it } from "vitest";
import { anomalyQueryParams, isFiltered, parseAnomalyQuery } from "../../lib/anomalyQuery";

describe("parseAnomalyQuery", () => {
  it("reads every filter from the URL", () => {
    const q = parseAnomalyQuery(
      new URLSearchParams(
        "range=24h&from=2024-05-01T10:00&to=2024-05-02T00:00:00Z&location=DE&location=FR&risk=high&risk=medium&score_min=0.7&score_max=0.9&user=alice&category=travel&model=user&label=unlabelled&sort=amount&dir=asc&page=3&size=100",
      ),
    );
    expect(q.problems).toEqual([]);
    expect(q.filter).toEqual({
      range: "24h",
      from: new Date("2024-05-01T10:00:00Z"),
      to: new Date("2024-05-02T00:00:00Z"),
      locations: ["DE", "FR"],
      risks: ["high", "medium"],
      scoreMin: 0.7,
      scoreMax: 0.9,
      user: "alice",
      categories: ["travel"],
      models: ["user"],
      label: "unlabelled",
    });
    expect([q.sort, q.dir, q.page, q.pageSize]).toEqual(["amount", "asc", 3, 100]);
  });

  it("reads a zoneless time as UTC, as the page shows times", () => {
    expect(parseAnomalyQuery({ from: "2024-05-01T13:00" }).filter.from?.toISOString()).toBe("2024-05-01T13:00:00.000Z");
  });

  it("ignores and reports values it cannot use", () => {
    const q = parseAnomalyQuery({ risk: ["high", "extreme"], model: "magic", score_min: "abc", label: "maybe", sort: "password", page: "-1", size: "7", range: "2y" });
    expect(q.filter.risks).toEqual(["high"]);
    expect(q.filter.models).toEqual([]);
    expect(q.filter.scoreMin).toBeNull();
    expect(q.sort).toBe("detected");
    expect(q.page).toBe(1);
    expect(q.pageSize).toBe(50);
    expect(q.problems).toHaveLength(8);
    expect(q.problems).toContain("risk 'extreme' is not low, medium or high");
  });

  it("drops a time range that ends before it starts, and an inverted score range", () => {
    const q = parseAnomalyQuery({ from: "2024-05-02T00:00Z", to: "2024-05-01T00:00Z", score_min: "0.9", score_max: "0.1" });
    expect([q.filter.from, q.filter.to, q.filter.scoreMin, q.filter.scoreMax]).toEqual([null, null, null, null]);
    expect(q.problems).toHaveLength(2);
  });

  it("gives every request its own filter lists", () => {
    // Regression: a shared default list once made one request's risk filter stick to every later request.
    parseAnomalyQuery({ risk: "high", location: "DE" });
    const next = parseAnomalyQuery({});
    expect(next.filter.risks).toEqual([]);
    expect(next.filter.locations).toEqual([]);
    expect(isFiltered(next.filter)).toBe(false);
  });

  it("writes back the parameters it reads", () => {
    const original = "range=7d&location=BR&risk=low&risk=high&score_min=0.5&user=bob&category=crypto&model=blend&label=false_positive&sort=score&dir=asc&page=2&size=25";
    const q = parseAnomalyQuery(new URLSearchParams(original));
    const again = parseAnomalyQuery(anomalyQueryParams(q));
    expect(again).toEqual(q);
    expect(anomalyQueryParams({ ...q, page: 1 }).has("page")).toBe(false);
  });
});
