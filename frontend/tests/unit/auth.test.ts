import { describe, expect, it } from "vitest";
import { authorize, createSession, SESSION_COOKIE, tokenState, verifySession } from "../../lib/auth";

const TOKEN = "a-long-enough-token";
const configured = tokenState({ RTAD_DASHBOARD_TOKEN: TOKEN });

describe("token state", () => {
  it("is read-only without a token or with a short one", () => {
    expect(tokenState({}).state).toBe("absent");
    expect(tokenState({ RTAD_DASHBOARD_TOKEN: "   " }).state).toBe("absent");
    expect(tokenState({ RTAD_DASHBOARD_TOKEN: "short" }).state).toBe("too_short");
    expect(configured.state).toBe("configured");
  });
});

describe("sessions", () => {
  it("are issued only for the right token and name their analyst", () => {
    expect(createSession(configured, "wrong-token-value", "dana")).toBeNull();
    const cookie = createSession(configured, TOKEN, "dana")!;
    expect(cookie).not.toContain(TOKEN);
    expect(verifySession(configured, cookie)).toBe("dana");
  });
  it("do not survive a token change or tampering", () => {
    const cookie = createSession(configured, TOKEN, "dana")!;
    expect(verifySession(tokenState({ RTAD_DASHBOARD_TOKEN: "another-long-token" }), cookie)).toBeNull();
    const [, mac] = cookie.split(".");
    expect(verifySession(configured, `${Buffer.from("mallory").toString("base64url")}.${mac}`)).toBeNull();
    expect(verifySession(tokenState({}), cookie)).toBeNull();
  });
});

describe("authorize", () => {
  const headers = (h: Record<string, string>) => new Headers(h);
  it("refuses everything when read-only, even the token", () => {
    const a = authorize(headers({ authorization: `Bearer ${TOKEN}` }), tokenState({}));
    expect(a).toEqual({ ok: false, status: 403, message: expect.stringContaining("RTAD_DASHBOARD_TOKEN is not set") });
  });
  it("asks for credentials when there are none (401)", () => {
    expect(authorize(headers({}), configured)).toMatchObject({ ok: false, status: 401 });
  });
  it("refuses a wrong bearer token or a malformed header (403)", () => {
    expect(authorize(headers({ authorization: "Bearer nope-nope-nope" }), configured)).toMatchObject({ ok: false, status: 403 });
    expect(authorize(headers({ authorization: TOKEN }), configured)).toMatchObject({ ok: false, status: 403 });
  });
  it("accepts the bearer token, naming the analyst when told", () => {
    expect(authorize(headers({ authorization: `Bearer ${TOKEN}`, "x-rtad-analyst": "bot" }), configured)).toEqual({ ok: true, analyst: "bot" });
    expect(authorize(headers({ authorization: `bearer ${TOKEN}` }), configured)).toEqual({ ok: true, analyst: "api" });
  });
  it("accepts a valid session cookie and refuses a forged one", () => {
    const cookie = createSession(configured, TOKEN, "Dana Analyst")!;
    expect(authorize(headers({ cookie: `other=1; ${SESSION_COOKIE}=${cookie}` }), configured)).toEqual({ ok: true, analyst: "Dana Analyst" });
    expect(authorize(headers({ cookie: `${SESSION_COOKIE}=bWFsbG9yeQ.forged` }), configured)).toMatchObject({ ok: false, status: 403 });
  });
});
