import { SESSION_COOKIE } from "@/lib/auth";

export const dynamic = "force-dynamic";

/** Ends the session: the cookie expires at once. */
export function POST() {
  return new Response(null, {
    status: 303,
    headers: { location: "/", "set-cookie": `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`, "cache-control": "no-store" },
  });
}
