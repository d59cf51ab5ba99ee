// @vitest-environment jsdom
import { act, cleanup, render } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const refresh = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ refresh }) }));

import { LiveFeed, mergeFeed } from "../../components/LiveFeed";
import type { LiveAnomaly } from "../../lib/liveListener";

// A stand-in for the browser's EventSource that the test drives by hand.
class FakeEventSource {
  static last: FakeEventSource | null = null;
  listeners = new Map<string, ((e: MessageEvent) => void)[]>();
  onerror: (() => void) | null = null;
  closed = false;
  constructor(public url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(type: string, fn: (e: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  emit(type: string, data: unknown) {
    for (const fn of this.listeners.get(type) ?? []) fn(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
  close() {
    this.closed = true;
  }
}

const anomaly = (id: string, over: Partial<LiveAnomaly> = {}): LiveAnomaly => ({
  transaction_id: id, user_id: "u-7", amount: 99.5, currency: "EUR", location: "FR", merchant_category: "travel",
  detection_score: 0.8, risk_level: "medium", model_used: "user", detection_time: "2024-05-01T10:00:00Z", ...over,
});

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal("EventSource", FakeEventSource);
  refresh.mockClear();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("LiveFeed", () => {
  it("subscribes to /api/live and shows the connection state", () => {
    const { container } = render(<LiveFeed initial={[]} />);
    expect(FakeEventSource.last!.url).toBe("/api/live");
    expect(container.querySelector(".feed-status")!.getAttribute("data-state")).toBe("connecting");
    act(() => FakeEventSource.last!.emit("status", { state: "listening" }));
    expect(container.querySelector(".feed-status")!.textContent).toContain("Live");
    act(() => FakeEventSource.last!.emit("status", { state: "down", message: "Live feed lost the database" }));
    expect(container.querySelector(".feed-status")!.textContent).toContain("Live feed lost the database");
  });

  it("puts a pushed anomaly on top, once, and refreshes the page figures at most once per interval", () => {
    const { container } = render(<LiveFeed initial={[anomaly("old-1")]} />);
    act(() => {
      FakeEventSource.last!.emit("anomaly", anomaly("new-1", { amount: 4830, risk_level: "high" }));
      FakeEventSource.last!.emit("anomaly", anomaly("new-1", { amount: 4830, risk_level: "high" }));
      FakeEventSource.last!.emit("anomaly", anomaly("new-2"));
    });
    const ids = [...container.querySelectorAll(".feed-list li")].map((li) => li.getAttribute("data-transaction-id"));
    expect(ids).toEqual(["new-2", "new-1", "old-1"]);
    expect(container.querySelector('li[data-transaction-id="new-1"]')!.className).toBe("fresh");
    expect(container.querySelector('li[data-transaction-id="new-1"]')!.textContent).toContain("4,830.00 EUR");
    act(() => vi.runAllTimers());
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it("says there is nothing yet when empty, and closes the stream on unmount", () => {
    const { container, unmount } = render(<LiveFeed initial={[]} />);
    expect(container.textContent).toContain("No anomalies yet");
    unmount();
    expect(FakeEventSource.last!.closed).toBe(true);
  });

  it("keeps a bounded list", () => {
    const many = Array.from({ length: 80 }, (_, i) => anomaly(`a-${i}`));
    expect(mergeFeed(many, [])).toHaveLength(50);
  });
});
