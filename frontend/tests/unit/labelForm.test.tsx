// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { renderToString } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";

const refresh = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ refresh }) }));

import { LabelForm } from "../../components/LabelForm";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("LabelForm", () => {
  it("shows the read-only reason and no buttons when labelling is off", () => {
    render(<LabelForm transactionId="tx-1" access={{ kind: "readonly", reason: "Read-only: no token." }} />);
    expect(screen.getByTestId("label-readonly").textContent).toBe("Read-only: no token.");
    expect(screen.queryAllByRole("button")).toHaveLength(0);
  });

  it("offers sign-in that comes back to the anomaly", () => {
    render(<LabelForm transactionId="tx 1" access={{ kind: "signin" }} />);
    expect(screen.getByText("Sign in").getAttribute("href")).toBe("/signin?next=%2Fanomalies%2Ftx%201");
  });

  it("posts the label with the note and confirms", async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ label: {} }), { status: 201 }));
    vi.stubGlobal("fetch", fetchMock);
    render(<LabelForm transactionId="tx-1" access={{ kind: "allowed", analyst: "dana" }} />);
    fireEvent.change(screen.getByPlaceholderText(/Note/), { target: { value: "  called the bank  " } });
    fireEvent.click(screen.getByText("False positive"));
    await waitFor(() => expect(screen.getByRole("status").textContent).toBe("Saved as false positive."));
    expect(fetchMock).toHaveBeenCalledWith("/api/labels", expect.objectContaining({ method: "POST" }));
    const body = JSON.parse((fetchMock.mock.calls[0] as unknown as [string, RequestInit])[1].body as string);
    expect(body).toEqual({ transaction_id: "tx-1", label: "false_positive", note: "called the bank" });
    expect(refresh).toHaveBeenCalled();
  });

  it("serves its buttons disabled: before hydration a click would do nothing", () => {
    const html = renderToString(<LabelForm transactionId="tx-1" access={{ kind: "allowed", analyst: "dana" }} />);
    expect(html.match(/<button[^>]*disabled=""/g)).toHaveLength(2);
    render(<LabelForm transactionId="tx-1" access={{ kind: "allowed", analyst: "dana" }} />);
    expect((screen.getByText("False positive") as HTMLButtonElement).disabled).toBe(false);
  });

  it("shows the server's refusal", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ error: "The session is not valid" }), { status: 403 })));
    render(<LabelForm transactionId="tx-1" access={{ kind: "allowed", analyst: "dana" }} />);
    fireEvent.click(screen.getByText("Confirm fraud"));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("The session is not valid"));
  });
});
