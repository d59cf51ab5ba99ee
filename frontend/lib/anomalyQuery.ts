// The Anomalies page's URL, parsed and validated. The same parameters drive
// the table, the count and the export, so "export" always means "exactly
// what the table shows, without the page limit".
import {
  isLabelState, isModelUsed, isRiskLevel,
  type LabelState, type ModelUsed, type RiskLevel,
} from "./domain";

export const TIME_RANGES = { "1h": 3600, "24h": 86_400, "7d": 7 * 86_400, "30d": 30 * 86_400 } as const;
export type TimeRange = keyof typeof TIME_RANGES;

export const SORT_KEYS = ["detected", "score", "amount", "user", "location"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export const PAGE_SIZES = [25, 50, 100, 200] as const;
export const DEFAULT_PAGE_SIZE = 50;
// Deep OFFSETs get slow on millions of rows; past this page, narrow the
// filter or export instead.
export const MAX_PAGE = 2000;

export interface AnomalyFilter {
  range: TimeRange | null;
  from: Date | null;
  to: Date | null;
  locations: string[];
  risks: RiskLevel[];
  scoreMin: number | null;
  scoreMax: number | null;
  user: string | null;
  categories: string[];
  models: ModelUsed[];
  label: LabelState | null;
}

export interface AnomalyQuery {
  filter: AnomalyFilter;
  sort: SortKey;
  dir: "asc" | "desc";
  page: number;
  pageSize: number;
  /** Parameters that were ignored, with the reason, to show the analyst. */
  problems: string[];
}

/** A filter that keeps every row; a fresh object each call, as parsing fills its lists. */
export function emptyFilter(): AnomalyFilter {
  return {
    range: null, from: null, to: null, locations: [], risks: [], scoreMin: null, scoreMax: null,
    user: null, categories: [], models: [], label: null,
  };
}

type Params = URLSearchParams | Record<string, string | string[] | undefined>;

function toSearchParams(p: Params): URLSearchParams {
  if (p instanceof URLSearchParams) return p;
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.append(k, one);
  }
  return out;
}

function nonEmpty(values: string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter(Boolean))];
}

// <input type="datetime-local"> sends "2024-05-01T13:00" without a zone; the
// dashboard shows UTC everywhere, so a zoneless time is read as UTC.
function parseTime(raw: string): Date | null {
  const s = raw.trim();
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`;
  const d = new Date(withZone);
  return Number.isNaN(d.getTime()) ? null : d;
}

function parseNumber(raw: string | null): number | null | undefined {
  if (raw === null || raw.trim() === "") return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

/** Reads the Anomalies page's parameters; anything invalid is ignored and reported. */
export function parseAnomalyQuery(params: Params): AnomalyQuery {
  const p = toSearchParams(params);
  const problems: string[] = [];
  const filter = emptyFilter();

  const range = p.get("range");
  if (range && range !== "all") {
    if (range in TIME_RANGES) filter.range = range as TimeRange;
    else problems.push(`range '${range}' is not one of ${Object.keys(TIME_RANGES).join(", ")}, all`);
  }
  for (const key of ["from", "to"] as const) {
    const raw = p.get(key);
    if (!raw) continue;
    const d = parseTime(raw);
    if (d) filter[key] = d;
    else problems.push(`${key} '${raw}' is not a date and time`);
  }
  if (filter.from && filter.to && filter.from >= filter.to) {
    problems.push("from is not before to: the time range was ignored");
    filter.from = filter.to = null;
  }

  filter.locations = nonEmpty(p.getAll("location"));
  filter.categories = nonEmpty(p.getAll("category"));

  for (const r of nonEmpty(p.getAll("risk"))) {
    if (isRiskLevel(r)) filter.risks.push(r);
    else problems.push(`risk '${r}' is not low, medium or high`);
  }
  for (const m of nonEmpty(p.getAll("model"))) {
    if (isModelUsed(m)) filter.models.push(m);
    else problems.push(`model '${m}' is not user, global or blend`);
  }

  for (const [key, field] of [["score_min", "scoreMin"], ["score_max", "scoreMax"]] as const) {
    const n = parseNumber(p.get(key));
    if (n === undefined) problems.push(`${key} '${p.get(key)}' is not a number`);
    else filter[field] = n;
  }
  if (filter.scoreMin !== null && filter.scoreMax !== null && filter.scoreMin > filter.scoreMax) {
    problems.push("score_min is above score_max: the score range was ignored");
    filter.scoreMin = filter.scoreMax = null;
  }

  const user = p.get("user")?.trim();
  if (user) filter.user = user;

  const label = p.get("label");
  if (label && label !== "any") {
    if (isLabelState(label)) filter.label = label;
    else problems.push(`label '${label}' is not unlabelled, labelled, confirmed_fraud or false_positive`);
  }

  let sort: SortKey = "detected";
  const rawSort = p.get("sort");
  if (rawSort) {
    if ((SORT_KEYS as readonly string[]).includes(rawSort)) sort = rawSort as SortKey;
    else problems.push(`sort '${rawSort}' is not one of ${SORT_KEYS.join(", ")}`);
  }
  const rawDir = p.get("dir");
  const dir = rawDir === "asc" ? "asc" : "desc";
  if (rawDir && rawDir !== "asc" && rawDir !== "desc") problems.push(`dir '${rawDir}' is not asc or desc`);

  let page = 1;
  const rawPage = p.get("page");
  if (rawPage) {
    const n = Number(rawPage);
    if (Number.isInteger(n) && n >= 1 && n <= MAX_PAGE) page = n;
    else problems.push(`page '${rawPage}' is not a page number from 1 to ${MAX_PAGE}`);
  }
  let pageSize = DEFAULT_PAGE_SIZE;
  const rawSize = p.get("size");
  if (rawSize) {
    const n = Number(rawSize);
    if ((PAGE_SIZES as readonly number[]).includes(n)) pageSize = n;
    else problems.push(`size '${rawSize}' is not one of ${PAGE_SIZES.join(", ")}`);
  }

  return { filter, sort, dir, page, pageSize, problems };
}

/** The URL parameters for a query (the inverse of parseAnomalyQuery), defaults left out. */
export function anomalyQueryParams(q: Partial<AnomalyQuery> & { filter: AnomalyFilter }): URLSearchParams {
  const p = new URLSearchParams();
  const f = q.filter;
  if (f.range) p.set("range", f.range);
  if (f.from) p.set("from", f.from.toISOString());
  if (f.to) p.set("to", f.to.toISOString());
  f.locations.forEach((v) => p.append("location", v));
  f.risks.forEach((v) => p.append("risk", v));
  if (f.scoreMin !== null) p.set("score_min", String(f.scoreMin));
  if (f.scoreMax !== null) p.set("score_max", String(f.scoreMax));
  if (f.user) p.set("user", f.user);
  f.categories.forEach((v) => p.append("category", v));
  f.models.forEach((v) => p.append("model", v));
  if (f.label) p.set("label", f.label);
  if (q.sort && q.sort !== "detected") p.set("sort", q.sort);
  if (q.dir && q.dir !== "desc") p.set("dir", q.dir);
  if (q.page && q.page !== 1) p.set("page", String(q.page));
  if (q.pageSize && q.pageSize !== DEFAULT_PAGE_SIZE) p.set("size", String(q.pageSize));
  return p;
}

export function isFiltered(f: AnomalyFilter): boolean {
  return Boolean(
    f.range || f.from || f.to || f.locations.length || f.risks.length || f.scoreMin !== null ||
      f.scoreMax !== null || f.user || f.categories.length || f.models.length || f.label,
  );
}
