// Reads user_profiles.summary. The node writes it (issue 4); the shape the
// dashboard expects is documented in frontend/README.md. This reader accepts
// the plausible variants (lists, {name: count} maps, {value, share} objects)
// so a small change on the node side degrades to "not recorded", not a crash.

export interface Share {
  name: string;
  /** Fraction 0..1 of the user's transactions, when the node records it. */
  share: number | null;
}

export interface ProfileSummary {
  countries: Share[];
  categories: Share[];
  amount: { min: number | null; max: number | null; median: number | null; currency: string | null } | null;
  /** Transactions per hour of day (UTC), 24 entries, or null when not recorded. */
  hours: number[] | null;
}

type Json = Record<string, unknown>;

function asObject(v: unknown): Json | null {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : null;
}

function num(v: unknown): number | null {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : null;
}

function readShares(v: unknown): Share[] {
  let items: { name: string; weight: number | null }[] = [];
  if (Array.isArray(v)) {
    for (const item of v) {
      if (typeof item === "string") items.push({ name: item, weight: null });
      const o = asObject(item);
      if (o) {
        const name = [o.name, o.value, o.country, o.category, o.key].find((x) => typeof x === "string") as string | undefined;
        if (name) items.push({ name, weight: num(o.share ?? o.fraction ?? o.count ?? o.n) });
      }
    }
  } else {
    const o = asObject(v);
    if (o) items = Object.entries(o).map(([name, w]) => ({ name, weight: num(w) }));
  }
  const total = items.reduce((s, i) => s + (i.weight ?? 0), 0);
  const shares = items.map((i) => ({
    name: i.name,
    // Counts become fractions; fractions stay as they are.
    share: i.weight === null || total <= 0 ? null : total > 1.0001 ? i.weight / total : i.weight,
  }));
  return shares.sort((a, b) => (b.share ?? 0) - (a.share ?? 0));
}

function readHours(v: unknown): number[] | null {
  if (Array.isArray(v) && v.length === 24 && v.every((x) => num(x) !== null)) return v.map((x) => num(x)!);
  if (Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && (x as number) >= 0 && (x as number) < 24)) {
    const h = new Array<number>(24).fill(0);
    for (const x of v as number[]) h[x] = 1;
    return h;
  }
  const o = asObject(v);
  if (o) {
    const h = new Array<number>(24).fill(0);
    let seen = false;
    for (const [k, w] of Object.entries(o)) {
      const hour = Number(k);
      if (Number.isInteger(hour) && hour >= 0 && hour < 24 && num(w) !== null) {
        h[hour] = num(w)!;
        seen = true;
      }
    }
    return seen ? h : null;
  }
  return null;
}

export function readProfileSummary(raw: unknown): ProfileSummary {
  const s = asObject(raw) ?? {};
  const amountObj = asObject(s.amount_range) ?? asObject(s.amount) ?? asObject(s.amounts);
  const min = num(amountObj?.min ?? amountObj?.p05 ?? s.amount_min);
  const max = num(amountObj?.max ?? amountObj?.p95 ?? s.amount_max);
  const median = num(amountObj?.median ?? amountObj?.p50 ?? s.amount_median);
  const currency = typeof (amountObj?.currency ?? s.currency) === "string" ? ((amountObj?.currency ?? s.currency) as string) : null;
  return {
    countries: readShares(s.countries ?? s.usual_countries ?? s.locations),
    categories: readShares(s.categories ?? s.merchant_categories ?? s.usual_categories),
    amount: min === null && max === null && median === null ? null : { min, max, median, currency },
    hours: readHours(s.active_hours ?? s.hours),
  };
}
