// @vitest-environment jsdom
import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { HorizontalBars } from "../../components/charts/HorizontalBars";
import { StackedColumns } from "../../components/charts/StackedColumns";
import { ScoreTimeline } from "../../components/charts/ScoreTimeline";

describe("charts", () => {
  it("stacked columns draw both axes with units, one rect per non-zero value, and a legend", () => {
    const { container } = render(
      <StackedColumns
        title="t"
        columns={[{ tick: "00:00", title: "a", values: { high: 2, low: 1 } }, { tick: "", title: "b", values: { high: 0, low: 4 } }]}
        series={[{ key: "high", label: "high", color: "red" }, { key: "low", label: "low", color: "blue" }]}
        yUnit="anomalies per minute"
        xLabel="detection time (UTC)"
      />,
    );
    const labels = [...container.querySelectorAll(".axis-label")].map((e) => e.textContent);
    expect(labels).toEqual(["anomalies per minute", "detection time (UTC)"]);
    expect(container.querySelectorAll('rect[fill="red"]')).toHaveLength(1);
    expect(container.querySelectorAll('rect[fill="blue"]')).toHaveLength(2);
    // Y ticks reach at least the tallest stack (4).
    const ticks = [...container.querySelectorAll("text.tick")].map((e) => Number(e.textContent)).filter((n) => !Number.isNaN(n));
    expect(Math.max(...ticks)).toBeGreaterThanOrEqual(4);
    expect(container.querySelector("figcaption")?.textContent).toContain("high");
  });

  it("bars are as long as their values relative to each other", () => {
    const { container } = render(<HorizontalBars title="b" unit="EUR" rows={[{ label: "DE", value: 400 }, { label: "FR", value: 100 }]} />);
    const widths = [...container.querySelectorAll("rect")].map((r) => Number(r.getAttribute("width")));
    expect(widths[0] / widths[1]).toBeCloseTo(4, 1);
    expect(container.querySelector(".axis-label")?.textContent).toBe("EUR");
  });

  it("the score timeline marks flagged points and draws the threshold", () => {
    const { container } = render(
      <ScoreTimeline
        title="s"
        points={[
          { t: 0, score: 0.3, threshold: 0.6, flagged: false },
          { t: 1000, score: 0.9, threshold: 0.6, flagged: true },
        ]}
      />,
    );
    expect(container.querySelectorAll("circle")).toHaveLength(2);
    expect(container.querySelectorAll("circle.flagged")).toHaveLength(1);
    expect(container.querySelector("path.threshold-line")?.getAttribute("d")).toMatch(/^M/);
  });
});
