// Vertical stacked columns over an ordered axis (time buckets, days, score
// bins), with a y axis in the given unit and a legend of the series.
import { linear, niceTicks, tickText } from "./scale";

export interface Series {
  key: string;
  label: string;
  color: string;
}

export interface Column {
  /** Tick text under the column; empty to skip a crowded tick. */
  tick: string;
  /** Tooltip heading, e.g. the full bucket time. */
  title: string;
  values: Record<string, number>;
}

const DEFAULT_WIDTH = 720;
const DEFAULT_HEIGHT = 240;
const LEFT = 52;
const RIGHT = 12;
const TOP = 10;
const BOTTOM = 46;

export function StackedColumns({
  columns, series, yUnit, xLabel, title, width: WIDTH = DEFAULT_WIDTH, height: HEIGHT = DEFAULT_HEIGHT,
}: {
  columns: Column[];
  series: Series[];
  yUnit: string;
  xLabel: string;
  title: string;
  /** Drawing size in SVG units: a narrow panel wants a narrow drawing, so text stays legible. */
  width?: number;
  height?: number;
}) {
  const totals = columns.map((c) => series.reduce((s, se) => s + (c.values[se.key] ?? 0), 0));
  const ticks = niceTicks(0, Math.max(1, ...totals), 4);
  const y = linear(0, ticks[ticks.length - 1], HEIGHT - BOTTOM, TOP);
  const slot = (WIDTH - LEFT - RIGHT) / Math.max(1, columns.length);
  const barW = Math.max(1, slot * 0.78);
  return (
    <figure className="chart-figure">
      <svg className="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={y(t)} y2={y(t)} className="grid" />
            <text x={LEFT - 6} y={y(t) + 4} textAnchor="end" className="tick">
              {tickText(t)}
            </text>
          </g>
        ))}
        <text transform={`translate(12 ${(TOP + HEIGHT - BOTTOM) / 2}) rotate(-90)`} textAnchor="middle" className="axis-label">
          {yUnit}
        </text>
        {columns.map((c, i) => {
          let base = 0;
          const x0 = LEFT + i * slot + (slot - barW) / 2;
          return (
            <g key={i}>
              <title>{`${c.title}\n${series.map((s) => `${s.label}: ${(c.values[s.key] ?? 0).toLocaleString("en-US")}`).join("\n")}`}</title>
              <rect x={LEFT + i * slot} y={TOP} width={slot} height={HEIGHT - BOTTOM - TOP} fill="transparent" />
              {series.map((s) => {
                const v = c.values[s.key] ?? 0;
                if (v <= 0) return null;
                const top = y(base + v);
                const rect = <rect key={s.key} x={x0} y={top} width={barW} height={Math.max(0.5, y(base) - top)} fill={s.color} />;
                base += v;
                return rect;
              })}
              {c.tick && (
                <text x={LEFT + i * slot + slot / 2} y={HEIGHT - BOTTOM + 16} textAnchor="middle" className="tick">
                  {c.tick}
                </text>
              )}
            </g>
          );
        })}
        <line x1={LEFT} x2={WIDTH - RIGHT} y1={HEIGHT - BOTTOM} y2={HEIGHT - BOTTOM} className="axis" />
        <text x={(LEFT + WIDTH - RIGHT) / 2} y={HEIGHT - 6} textAnchor="middle" className="axis-label">
          {xLabel}
        </text>
      </svg>
      {series.length > 1 && (
        <figcaption className="legend">
          {series.map((s) => (
            <span key={s.key}>
              <i style={{ background: s.color }} /> {s.label}
            </span>
          ))}
        </figcaption>
      )}
    </figure>
  );
}

/** Shows every n-th tick so labels never overlap. */
export function sparseTick(i: number, count: number, text: string, maxTicks = 8): string {
  const every = Math.max(1, Math.ceil(count / maxTicks));
  return i % every === 0 ? text : "";
}
