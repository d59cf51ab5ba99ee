// The look-back windows of the Overview and Quality pages, each with a bucket
// size that gives a readable number of bars. Buckets of an hour or more are
// cut from the hourly rollup (lib/queries/overview.ts), so none is shorter
// than an hour except the last hour's minutes.

export const WINDOWS = {
  "1h": { seconds: 3600, bucketSeconds: 60, label: "last hour", bucketLabel: "per minute" },
  "24h": { seconds: 86_400, bucketSeconds: 3600, label: "last 24 hours", bucketLabel: "per hour" },
  "7d": { seconds: 7 * 86_400, bucketSeconds: 6 * 3600, label: "last 7 days", bucketLabel: "per 6 hours" },
  "30d": { seconds: 30 * 86_400, bucketSeconds: 86_400, label: "last 30 days", bucketLabel: "per day" },
} as const;
export type WindowKey = keyof typeof WINDOWS;
export const DEFAULT_WINDOW: WindowKey = "24h";

export function parseWindow(raw: string | string[] | undefined, fallback: WindowKey = DEFAULT_WINDOW): WindowKey {
  const v = Array.isArray(raw) ? raw[0] : raw;
  return v && v in WINDOWS ? (v as WindowKey) : fallback;
}

/** Start of the window ending at `now`. */
export function windowStart(key: WindowKey, now: Date): Date {
  return new Date(now.getTime() - WINDOWS[key].seconds * 1000);
}
