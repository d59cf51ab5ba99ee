// A user's scores over time as points, the threshold in force as a stepped
// line: what lies above it was flagged.
import { linear, niceTicks, tickText } from "./scale";
import { formatTime } from "@/lib/format";

export interface ScorePoint {
  t: number;
  score: number;
  threshold: number;
  flagged: boolean;
}

const WIDTH = 720;
const HEIGHT = 260;
const LEFT = 52;
const RIGHT = 16;
const TOP = 12;
const BOTTOM = 46;

function timeTick(ms: number, spanMs: number): string {
  const s = formatTime(new Date(ms));
  return spanMs > 2 * 86_400_000 ? s.slice(5, 10) : s.slice(11, 16);
}

export function ScoreTimeline({ points, title }: { points: ScorePoint[]; title: string }) {
  const t0 = Math.min(...points.map((p) => p.t));
  const t1 = Math.max(...points.map((p) => p.t));
  const span = Math.max(1, t1 - t0);
  const maxY = Math.max(1, ...points.map((p) => Math.max(p.score, p.threshold)));
  const yTicks = niceTicks(0, maxY, 4);
  const x = linear(t0, t0 + span, LEFT + 6, WIDTH - RIGHT - 6);
  const y = linear(0, yTicks[yTicks.length - 1], HEIGHT - BOTTOM, TOP);
  const xTicks = Array.from({ length: 5 }, (_, i) => t0 + (span * i) / 4);
  let step = "";
  points.forEach((p, i) => {
    step += i === 0 ? `M${x(p.t)},${y(p.threshold)}` : `H${x(p.t)}V${y(p.threshold)}`;
  });
  return (
    <figure className="chart-figure">
      <svg className="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        {yTicks.map((t) => (
          <g key={t}>
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={y(t)} y2={y(t)} className="grid" />
            <text x={LEFT - 6} y={y(t) + 4} textAnchor="end" className="tick">
              {tickText(t)}
            </text>
          </g>
        ))}
        {xTicks.map((t) => (
          <text key={t} x={x(t)} y={HEIGHT - BOTTOM + 16} textAnchor="middle" className="tick">
            {timeTick(t, span)}
          </text>
        ))}
        <text transform={`translate(12 ${(TOP + HEIGHT - BOTTOM) / 2}) rotate(-90)`} textAnchor="middle" className="axis-label">
          anomaly score
        </text>
        <text x={(LEFT + WIDTH - RIGHT) / 2} y={HEIGHT - 6} textAnchor="middle" className="axis-label">
          transaction time (UTC)
        </text>
        <line x1={LEFT} x2={WIDTH - RIGHT} y1={HEIGHT - BOTTOM} y2={HEIGHT - BOTTOM} className="axis" />
        <path d={step} className="threshold-line" />
        {points.map((p, i) => (
          <circle key={i} cx={x(p.t)} cy={y(p.score)} r={p.flagged ? 3.5 : 2.5} className={p.flagged ? "dot flagged" : "dot"}>
            <title>{`${formatTime(new Date(p.t))} UTC: score ${p.score.toFixed(3)}, threshold ${p.threshold.toFixed(3)}`}</title>
          </circle>
        ))}
      </svg>
      <figcaption className="legend">
        <span><i className="legend-dot" /> scored transaction</span>
        <span><i className="legend-dot flagged" /> flagged</span>
        <span><i className="legend-line" /> threshold</span>
      </figcaption>
    </figure>
  );
}
