// Who may label. The token is one shared secret (RTAD_DASHBOARD_TOKEN); an
// analyst proves it once on the sign-in page and gets a session cookie that
// holds an HMAC of their name under the token, never the token itself.
// Changing the token signs everyone out. Without a token the dashboard is
// read-only: there is nothing to compare against, so nothing is allowed.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Env } from "./env";

export const SESSION_COOKIE = "rtad_session";
export const MIN_TOKEN_LENGTH = 12;
export const MAX_ANALYST_LENGTH = 64;
export const SESSION_MAX_AGE_S = 12 * 3600;

export type TokenState = { state: "configured"; token: string } | { state: "absent" } | { state: "too_short" };

export function tokenState(env: Env = process.env): TokenState {
  const token = env.RTAD_DASHBOARD_TOKEN?.trim();
  if (!token) return { state: "absent" };
  // A short shared secret is guessable; refuse it rather than pretend.
  if (token.length < MIN_TOKEN_LENGTH) return { state: "too_short" };
  return { state: "configured", token };
}

/** Why actions are off, for the banner and the API's refusal. */
export function readOnlyReason(t: TokenState): string | null {
  if (t.state === "absent") return "Read-only: RTAD_DASHBOARD_TOKEN is not set on the dashboard server, so labelling is off.";
  if (t.state === "too_short") return `Read-only: RTAD_DASHBOARD_TOKEN is shorter than ${MIN_TOKEN_LENGTH} characters, so labelling is off.`;
  return null;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function sign(token: string, analyst: string): string {
  return createHmac("sha256", token).update(`rtad-dashboard-session\0${analyst}`).digest("base64url");
}

export function validAnalystName(name: unknown): name is string {
  return typeof name === "string" && name.trim().length > 0 && name.length <= MAX_ANALYST_LENGTH && !/[\u0000-\u001f]/.test(name);
}

/** The cookie value for an analyst, or null when the token is wrong or labelling is off. */
export function createSession(t: TokenState, offeredToken: string, analyst: string): string | null {
  if (t.state !== "configured" || !sameSecret(offeredToken, t.token)) return null;
  return `${Buffer.from(analyst.trim()).toString("base64url")}.${sign(t.token, analyst.trim())}`;
}

/** The analyst a cookie value names, when it was signed with the current token. */
export function verifySession(t: TokenState, cookie: string | undefined | null): string | null {
  if (t.state !== "configured" || !cookie) return null;
  const dot = cookie.indexOf(".");
  if (dot <= 0) return null;
  const analyst = Buffer.from(cookie.slice(0, dot), "base64url").toString();
  if (!validAnalystName(analyst)) return null;
  return sameSecret(cookie.slice(dot + 1), sign(t.token, analyst)) ? analyst : null;
}

export type Authorization = { ok: true; analyst: string } | { ok: false; status: 401 | 403; message: string };

function cookieValue(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/**
 * Decides whether a request may act. Scripts send `Authorization: Bearer
 * <token>` (and may name themselves in X-Rtad-Analyst); browsers send the
 * session cookie, which is SameSite=Strict so another site cannot ride it.
 */
export function authorize(headers: Headers, t: TokenState = tokenState()): Authorization {
  const reason = readOnlyReason(t);
  if (reason || t.state !== "configured") return { ok: false, status: 403, message: reason ?? "read-only" };
  const bearer = headers.get("authorization");
  if (bearer) {
    const m = /^Bearer\s+(.+)$/i.exec(bearer.trim());
    if (!m || !sameSecret(m[1], t.token)) return { ok: false, status: 403, message: "The token is wrong." };
    const named = headers.get("x-rtad-analyst");
    return { ok: true, analyst: validAnalystName(named) ? named.trim() : "api" };
  }
  const cookie = cookieValue(headers.get("cookie"), SESSION_COOKIE);
  if (!cookie) return { ok: false, status: 401, message: "Sign in with the dashboard token to label." };
  const analyst = verifySession(t, cookie);
  if (!analyst) return { ok: false, status: 403, message: "The session is not valid (the token changed?): sign in again." };
  return { ok: true, analyst };
}
