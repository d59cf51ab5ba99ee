import { describe, expect, it } from "vitest";
import { linear, niceTicks, tickText } from "../../components/charts/scale";

describe("chart scales", () => {
  it("picks round ticks that cover the data", () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0, 730_000, 4)).toEqual([0, 200_000, 400_000, 600_000, 800_000]);
    expect(niceTicks(0, 0.93, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 0.93, 4)).toEqual([0, 0.5, 1]);
    expect(niceTicks(0, 0, 4)).toEqual([0, 0.5, 1]);
  });
  it("maps linearly, including inverted ranges for y axes", () => {
    expect(linear(0, 10, 100, 0)(2.5)).toBe(75);
  });
  it("shortens big numbers", () => {
    expect([tickText(1200), tickText(2_500_000), tickText(0.25), tickText(40)]).toEqual(["1.2k", "2.5M", "0.25", "40"]);
  });
});
