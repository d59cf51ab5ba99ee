// Horizontal bars with a value axis: long category names (locations) stay
// readable, which vertical bars would rotate or cut.
import { linear, niceTicks, tickText } from "./scale";

export interface BarRow {
  label: string;
  value: number;
  /** Shown at the bar's end, e.g. "12 alerts". */
  note?: string;
}

const ROW_H = 24;
const LEFT = 120;
const RIGHT = 24;
const TOP = 8;
const AXIS_H = 40;
const WIDTH = 720;

export function HorizontalBars({ rows, unit, title, color = "var(--accent)" }: { rows: BarRow[]; unit: string; title: string; color?: string }) {
  const max = Math.max(0, ...rows.map((r) => r.value));
  const ticks = niceTicks(0, max, 4);
  const x = linear(0, ticks[ticks.length - 1], LEFT, WIDTH - RIGHT);
  const height = TOP + rows.length * ROW_H + AXIS_H;
  const axisY = TOP + rows.length * ROW_H;
  return (
    <svg className="chart" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={title}>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={x(t)} x2={x(t)} y1={TOP} y2={axisY} className="grid" />
          <text x={x(t)} y={axisY + 16} textAnchor="middle" className="tick">
            {tickText(t)}
          </text>
        </g>
      ))}
      <line x1={LEFT} x2={WIDTH - RIGHT} y1={axisY} y2={axisY} className="axis" />
      <text x={(LEFT + WIDTH - RIGHT) / 2} y={axisY + 34} textAnchor="middle" className="axis-label">
        {unit}
      </text>
      {rows.map((r, i) => {
        const y = TOP + i * ROW_H;
        const w = Math.max(1, x(r.value) - LEFT);
        return (
          <g key={r.label}>
            <title>{`${r.label}: ${r.value.toLocaleString("en-US")} ${unit}${r.note ? ` (${r.note})` : ""}`}</title>
            <text x={LEFT - 8} y={y + ROW_H / 2 + 4} textAnchor="end" className="tick category">
              {r.label.length > 16 ? `${r.label.slice(0, 15)}…` : r.label}
            </text>
            <rect x={LEFT} y={y + 4} width={w} height={ROW_H - 8} rx={2} fill={color} />
          </g>
        );
      })}
    </svg>
  );
}
