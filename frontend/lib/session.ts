// What the signed-in state means for a page (server side).
import { cookies } from "next/headers";
import { readOnlyReason, SESSION_COOKIE, tokenState, verifySession } from "./auth";
import type { LabelAccess } from "@/components/LabelForm";

export async function labelAccess(): Promise<LabelAccess> {
  const t = tokenState();
  const reason = readOnlyReason(t);
  if (reason) return { kind: "readonly", reason };
  const analyst = verifySession(t, (await cookies()).get(SESSION_COOKIE)?.value);
  return analyst ? { kind: "allowed", analyst } : { kind: "signin" };
}
