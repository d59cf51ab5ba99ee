// The filter form: a plain GET form, so a filtered view is a URL an analyst
// can bookmark or paste into a ticket, and it works before any script loads.
import Link from "next/link";
import { LABEL_STATE_TEXT, LABEL_STATES, MODELS_USED, RISK_LEVELS } from "@/lib/domain";
import { TIME_RANGES, type AnomalyQuery } from "@/lib/anomalyQuery";
import { toDatetimeLocal } from "@/lib/format";

export function AnomalyFilters({ q, locations, categories }: { q: AnomalyQuery; locations: string[]; categories: string[] }) {
  const f = q.filter;
  return (
    <form className="filters" method="get" action="/anomalies" aria-label="Filter anomalies">
      <label>
        <span>Detected within</span>
        <select name="range" defaultValue={f.range ?? "all"}>
          <option value="all">any time</option>
          {Object.keys(TIME_RANGES).map((r) => (
            <option key={r} value={r}>last {r}</option>
          ))}
        </select>
      </label>
      <label>
        <span>From (UTC)</span>
        <input type="datetime-local" name="from" defaultValue={toDatetimeLocal(f.from)} />
      </label>
      <label>
        <span>To (UTC)</span>
        <input type="datetime-local" name="to" defaultValue={toDatetimeLocal(f.to)} />
      </label>
      <fieldset>
        <legend>Risk</legend>
        {RISK_LEVELS.map((r) => (
          <label key={r} className="check">
            <input type="checkbox" name="risk" value={r} defaultChecked={f.risks.includes(r)} />
            <span className={`swatch risk-bg-${r}`} /> {r}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Model</legend>
        {MODELS_USED.map((m) => (
          <label key={m} className="check">
            <input type="checkbox" name="model" value={m} defaultChecked={f.models.includes(m)} /> {m}
          </label>
        ))}
      </fieldset>
      <label>
        <span>Score ≥</span>
        <input type="number" name="score_min" step="0.01" min="0" inputMode="decimal" defaultValue={f.scoreMin ?? ""} className="narrow" />
      </label>
      <label>
        <span>Score ≤</span>
        <input type="number" name="score_max" step="0.01" min="0" inputMode="decimal" defaultValue={f.scoreMax ?? ""} className="narrow" />
      </label>
      <label>
        <span>Location</span>
        <select name="location" defaultValue={f.locations[0] ?? ""}>
          <option value="">any</option>
          {locations.map((l) => <option key={l} value={l}>{l}</option>)}
        </select>
      </label>
      <label>
        <span>Merchant category</span>
        <select name="category" defaultValue={f.categories[0] ?? ""}>
          <option value="">any</option>
          {categories.map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
      </label>
      <label>
        <span>User</span>
        <input type="search" name="user" placeholder="user id" defaultValue={f.user ?? ""} />
      </label>
      <label>
        <span>Label</span>
        <select name="label" defaultValue={f.label ?? "any"}>
          <option value="any">any</option>
          {LABEL_STATES.map((s) => <option key={s} value={s}>{LABEL_STATE_TEXT[s]}</option>)}
        </select>
      </label>
      {q.sort !== "detected" && <input type="hidden" name="sort" value={q.sort} />}
      {q.dir !== "desc" && <input type="hidden" name="dir" value={q.dir} />}
      <div className="filter-buttons">
        <button type="submit" className="btn btn-primary">Apply</button>
        <Link href="/anomalies" className="btn">Reset</Link>
      </div>
    </form>
  );
}
