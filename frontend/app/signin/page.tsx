import type { Metadata } from "next";
import { readOnlyReason, tokenState } from "@/lib/auth";
import { safeNext } from "@/lib/redirect";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const sp = await searchParams;
  const reason = readOnlyReason(tokenState());
  return (
    <div className="narrow-page">
      <h1>Sign in to label</h1>
      <p className="muted">Labelling needs the dashboard token (RTAD_DASHBOARD_TOKEN). Your name is stored with every label you make.</p>
      {reason ? (
        <div className="notice" role="alert">{reason}</div>
      ) : (
        <form method="post" action="/api/session" className="signin">
          {sp.error && <div className="notice" role="alert">{sp.error}</div>}
          <input type="hidden" name="next" value={safeNext(sp.next)} />
          <label>
            <span>Your name</span>
            <input name="analyst" required maxLength={64} autoComplete="name" />
          </label>
          <label>
            <span>Dashboard token</span>
            <input name="token" type="password" required autoComplete="current-password" />
          </label>
          <button type="submit" className="btn btn-primary">Sign in</button>
        </form>
      )}
    </div>
  );
}
