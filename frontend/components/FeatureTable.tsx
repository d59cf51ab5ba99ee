// frauds.detection_features as a table. The node decides the exact shape
// (issue 3's explanation: top features, value seen, usual range); this shows
// a list of objects as rows and a plain object as key/value pairs.
function cell(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(3);
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

const PREFERRED_ORDER = ["feature", "name", "value", "usual", "usual_range", "contribution", "attribution"];

export function FeatureTable({ features }: { features: unknown }) {
  const list = Array.isArray(features)
    ? features
    : features && typeof features === "object" && Array.isArray((features as Record<string, unknown>).top)
      ? ((features as Record<string, unknown>).top as unknown[])
      : null;
  if (list && list.length && list.every((x) => x && typeof x === "object" && !Array.isArray(x))) {
    // jsonb does not keep key order, so the usual keys come first on purpose.
    const keys = [...new Set(list.flatMap((x) => Object.keys(x as object)))];
    const rank = (k: string) => {
      const i = PREFERRED_ORDER.indexOf(k);
      return i < 0 ? PREFERRED_ORDER.length : i;
    };
    const columns = keys.sort((a, b) => rank(a) - rank(b));
    return (
      <table className="data compact">
        <thead><tr>{columns.map((c) => <th key={c}>{c.replace(/_/g, " ")}</th>)}</tr></thead>
        <tbody>
          {list.map((row, i) => (
            <tr key={i}>{columns.map((c) => <td key={c}>{cell((row as Record<string, unknown>)[c])}</td>)}</tr>
          ))}
        </tbody>
      </table>
    );
  }
  if (features && typeof features === "object" && !Array.isArray(features) && Object.keys(features).length) {
    return (
      <table className="data compact">
        <tbody>
          {Object.entries(features as Record<string, unknown>).map(([k, v]) => (
            <tr key={k}><th>{k.replace(/_/g, " ")}</th><td>{cell(v)}</td></tr>
          ))}
        </tbody>
      </table>
    );
  }
  return <p className="muted">The node recorded no feature attribution for this anomaly.</p>;
}
