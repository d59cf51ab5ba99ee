"use client";
// Client-side only to know the current page, so sign-in comes back to it.
import Link from "next/link";
import { usePathname } from "next/navigation";

export function SignInLink({ className, children }: { className?: string; children: React.ReactNode }) {
  const path = usePathname();
  const next = path && path !== "/signin" ? `?next=${encodeURIComponent(path)}` : "";
  return <Link href={`/signin${next}`} className={className}>{children}</Link>;
}
