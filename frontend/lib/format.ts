// How numbers, money and times read on every page. Times are UTC and say so:
// a fraud team spans time zones, and an alert must read the same for all.

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

export function formatInt(n: number | string | null | undefined): string {
  if (n === null || n === undefined || n === "") return "—";
  return integer.format(Number(n));
}

export function formatCompact(n: number): string {
  return Math.abs(n) < 10_000 ? formatInt(n) : compact.format(n);
}

export function formatDecimal(n: number | null | undefined, digits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatScore(n: number | null | undefined): string {
  return formatDecimal(n, 3);
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "—";
  return `${(ratio * 100).toFixed(digits)} %`;
}

/** An amount with its currency code, e.g. "4,830.00 EUR". */
export function formatMoney(amount: number | string, currency?: string | null): string {
  const n = Number(amount);
  const text = n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency ? `${text} ${currency}` : text;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** "2024-05-01 13:04:05" in UTC. */
export function formatTime(d: Date | string | null | undefined): string {
  if (!d) return "—";
  const t = d instanceof Date ? d : new Date(d);
  if (Number.isNaN(t.getTime())) return "—";
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
}

/** Value for <input type="datetime-local">, in UTC like everything shown. */
export function toDatetimeLocal(d: Date | null): string {
  return d ? formatTime(d).replace(" ", "T").slice(0, 16) : "";
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function formatAge(from: Date | string | null | undefined, now: Date = new Date()): string {
  if (!from) return "never";
  const s = Math.max(0, Math.round((now.getTime() - new Date(from).getTime()) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];
export function formatBytes(n: number | string): string {
  let v = Number(n);
  let i = 0;
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${BYTE_UNITS[i]}`;
}
