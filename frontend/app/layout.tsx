import type { Metadata, Viewport } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { NavLinks } from "@/components/NavLinks";
import { SignInLink } from "@/components/SignInLink";
import { labelAccess } from "@/lib/session";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "rtad dashboard", template: "%s · rtad" },
  description: "Live anomalies of the rtad fraud detector",
};
export const viewport: Viewport = { width: "device-width", initialScale: 1 };

async function SessionStatus() {
  const access = await labelAccess();
  if (access.kind === "readonly") {
    return <span className="session readonly" title={access.reason}>Read-only</span>;
  }
  if (access.kind === "signin") {
    return <SignInLink className="session">Sign in to label</SignInLink>;
  }
  return (
    <form method="post" action="/api/session/signout" className="session">
      <span>Analyst <strong data-testid="analyst">{access.analyst}</strong></span>
      <button type="submit" className="linklike">Sign out</button>
    </form>
  );
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href="/" className="brand">
            <span className="brand-mark" aria-hidden>◆</span> rtad
          </Link>
          <NavLinks />
          <form action="/users" method="get" className="user-search" role="search">
            <input type="search" name="id" placeholder="Go to user id…" aria-label="User id" />
          </form>
          <SessionStatus />
        </header>
        <main className="page">{children}</main>
      </body>
    </html>
  );
}
