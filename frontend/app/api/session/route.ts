// Sign-in: the sign-in page's form posts the token and the analyst's name;
// a right token sets the session cookie (lib/auth.ts), a wrong one sends the
// analyst back with the reason. Plain form posts, so it works without script.
import { createSession, readOnlyReason, SESSION_COOKIE, SESSION_MAX_AGE_S, tokenState, validAnalystName } from "@/lib/auth";
import { safeNext } from "@/lib/redirect";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

// A relative Location keeps the browser on whatever host and port it used.
function back(path: string, cookie?: string) {
  const headers = new Headers({ location: path, "cache-control": "no-store" });
  if (cookie) headers.append("set-cookie", cookie);
  return new Response(null, { status: 303, headers });
}

export async function POST(request: Request) {
  const form = await request.formData().catch(() => null);
  const next = safeNext(form?.get("next"));
  const retry = (error: string) => back(`/signin?error=${encodeURIComponent(error)}&next=${encodeURIComponent(next)}`);
  const t = tokenState();
  const reason = readOnlyReason(t);
  if (reason) return retry(reason);
  const analyst = form?.get("analyst");
  const token = form?.get("token");
  if (!validAnalystName(analyst)) return retry("Enter your name (up to 64 characters): labels record who made them.");
  const session = createSession(t, typeof token === "string" ? token : "", analyst);
  if (!session) return retry("That token is not the dashboard's token.");
  const secure = new URL(request.url).protocol === "https:" ? "; Secure" : "";
  return back(next, `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_AGE_S}${secure}`);
}
