"use client";
// Client-side only to know the current path for the active tab.
import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/", label: "Overview" },
  { href: "/anomalies", label: "Anomalies" },
  { href: "/cluster", label: "Cluster" },
  { href: "/quality", label: "Quality" },
];

export function NavLinks() {
  const path = usePathname();
  return (
    <nav className="nav" aria-label="Pages">
      {LINKS.map((l) => {
        const active = l.href === "/" ? path === "/" : path.startsWith(l.href);
        return (
          <Link key={l.href} href={l.href} className={active ? "active" : ""} aria-current={active ? "page" : undefined}>
            {l.label}
          </Link>
        );
      })}
    </nav>
  );
}
