// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { LabelBadge, RiskBadge } from "../../components/Badges";
import { AnomalyTable } from "../../components/AnomalyTable";
import { Pagination } from "../../components/Pagination";
import { ErrorState } from "../../components/States";
import { FeatureTable } from "../../components/FeatureTable";
import { nodeHealth } from "../../components/NodeList";
import { DatabaseError } from "../../lib/db";
import { parseAnomalyQuery } from "../../lib/anomalyQuery";
import type { FraudRow } from "../../lib/domain";

afterEach(cleanup);

const row = (id: string, over: Partial<FraudRow> = {}): FraudRow => ({
  transaction_id: id, user_id: "u-1", amount: "4830.00", currency: "EUR", location: "BR", timestamp: new Date("2024-05-01T10:00:00Z"),
  transaction_type: "purchase", merchant_id: null, merchant_name: null, merchant_category: "travel", payment_method: null,
  device_type: null, ip_address: null, is_confirmed_fraud: null, detection_score: 0.91, risk_level: "high",
  detection_time: new Date("2024-05-01T10:00:01Z"), detection_features: {}, notes: null, model_used: "user", threshold: 0.6,
  explanation: null, ground_truth: null, fraud_type: null, node: null, kafka_partition: null, kafka_offset: null, ...over,
});

describe("badges", () => {
  it("colour by risk level and label state", () => {
    render(<><RiskBadge level="high" /><LabelBadge state="false_positive" /></>);
    expect(screen.getByText("high").className).toContain("risk-high");
    expect(screen.getByText("False positive").className).toContain("label-false_positive");
  });
});

describe("anomaly table", () => {
  it("shows each row with money, UTC time and label, and links sort headers that keep the filter", () => {
    const q = parseAnomalyQuery({ risk: "high", sort: "amount", dir: "desc" });
    const { container } = render(<AnomalyTable q={q} rows={[row("tx-1"), row("tx-2", { is_confirmed_fraud: true })]} />);
    const first = container.querySelector('tr[data-transaction-id="tx-1"]')!;
    expect(first.textContent).toContain("4,830.00 EUR");
    expect(first.textContent).toContain("2024-05-01 10:00:01");
    expect(container.querySelector('tr[data-transaction-id="tx-2"]')!.textContent).toContain("Confirmed fraud");
    // Amount is the active sort: its link flips to ascending; other columns start descending.
    expect(container.querySelector('a[data-sort="amount"]')!.getAttribute("href")).toBe("/anomalies?risk=high&sort=amount&dir=asc");
    expect(container.querySelector('a[data-sort="score"]')!.getAttribute("href")).toBe("/anomalies?risk=high&sort=score");
    expect(container.querySelector('th[aria-sort="descending"]')!.textContent).toContain("Amount");
  });
});

describe("pagination", () => {
  it("says which rows are shown and links the neighbours", () => {
    const q = parseAnomalyQuery({ page: "2", size: "25", user: "bob" });
    const { container } = render(<Pagination q={q} count={60} more={false} shown={25} />);
    expect(screen.getByTestId("row-range").textContent).toBe("Rows 26–50 of 60");
    expect(container.querySelector('a[rel="prev"]')!.getAttribute("href")).toBe("/anomalies?user=bob&size=25");
    expect(container.querySelector('a[rel="next"]')!.getAttribute("href")).toBe("/anomalies?user=bob&page=3&size=25");
  });
  it("says 'more than' past the count cap and has no next on the last page", () => {
    const { container, unmount } = render(<Pagination q={parseAnomalyQuery({})} count={10000} more shown={50} />);
    expect(screen.getByTestId("row-range").textContent).toBe("Rows 1–50 of more than 10,000");
    unmount();
    render(<Pagination q={parseAnomalyQuery({ page: "3" })} count={120} more={false} shown={20} />);
    expect(container.querySelector('a[rel="next"]')).toBeNull();
  });
});

describe("error state", () => {
  it("names the problem and what to do", () => {
    render(<ErrorState error={new DatabaseError("unreachable", "PostgreSQL is unreachable at x", "Start it (scripts/services start).")} />);
    expect(screen.getByRole("alert").getAttribute("data-error-kind")).toBe("unreachable");
    expect(screen.getByText("Database unreachable")).toBeTruthy();
    expect(screen.getByText("Start it (scripts/services start).")).toBeTruthy();
  });
});

describe("feature table", () => {
  it("shows a list of features as rows and says when there is none", () => {
    // Keys in the order jsonb hands them back (shortest first): the table still leads with the feature.
    const { container, unmount } = render(<FeatureTable features={[{ usual: "0.5 – 2.1", value: 12.4, feature: "amount_vs_usual", extra: 1 }]} />);
    expect([...container.querySelectorAll("th")].map((t) => t.textContent)).toEqual(["feature", "value", "usual", "extra"]);
    expect(container.querySelector("td")!.textContent).toBe("amount_vs_usual");
    unmount();
    render(<FeatureTable features={{}} />);
    expect(screen.getByText(/no feature attribution/)).toBeTruthy();
  });
});

describe("node health", () => {
  const now = new Date("2024-05-01T10:00:00Z");
  it("is stale after the heartbeat limit and stopped when stopped", () => {
    expect(nodeHealth({ state: "running", heartbeat_at: new Date("2024-05-01T09:59:50Z") }, now, 30)).toBe("ok");
    expect(nodeHealth({ state: "running", heartbeat_at: new Date("2024-05-01T09:59:00Z") }, now, 30)).toBe("stale");
    expect(nodeHealth({ state: "stopped", heartbeat_at: now }, now, 30)).toBe("stopped");
  });
});
