import Link from "next/link";
import { WINDOWS, type WindowKey } from "@/lib/queries/windows";

/** Links that switch the look-back window; plain links, so the back button works. */
export function WindowPicker({ current, path }: { current: WindowKey; path: string }) {
  return (
    <div className="segmented" role="group" aria-label="Time window">
      {(Object.keys(WINDOWS) as WindowKey[]).map((k) => (
        <Link key={k} href={`${path}?window=${k}`} className={k === current ? "active" : ""} aria-current={k === current ? "true" : undefined}>
          {k}
        </Link>
      ))}
    </div>
  );
}
