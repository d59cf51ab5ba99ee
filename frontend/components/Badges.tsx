// The risk palette and label states, one look everywhere.
import { LABEL_STATE_TEXT, type LabelState } from "@/lib/domain";

export function RiskBadge({ level }: { level: string }) {
  return <span className={`badge risk-${level}`}>{level}</span>;
}

export function LabelBadge({ state }: { state: LabelState }) {
  return <span className={`badge label-${state}`}>{LABEL_STATE_TEXT[state]}</span>;
}

const MODEL_TEXT: Record<string, string> = { user: "user model", global: "global model", blend: "blend" };
export function ModelTag({ model }: { model: string }) {
  return <span className="tag" title={`scored by the ${MODEL_TEXT[model] ?? model}`}>{model}</span>;
}

/** The score with a bar relative to the threshold, so "how far over" reads at a glance. */
export function ScoreCell({ score, threshold, level }: { score: number; threshold?: number | null; level?: string }) {
  const width = Math.max(2, Math.min(100, score * 100));
  return (
    <span className="score-cell" title={threshold != null ? `threshold ${threshold.toFixed(3)}` : undefined}>
      <span className="num">{score.toFixed(3)}</span>
      <span className="score-bar"><span className={`score-fill risk-bg-${level ?? "none"}`} style={{ width: `${width}%` }} /></span>
    </span>
  );
}
