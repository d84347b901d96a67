/**
 * Completed (green) and failed (red) per bucket (a minute by default) as stacked bars, oldest
 * left; an empty bucket draws nothing above the baseline. `poisoned` is told in the label.
 */
export function Sparkline({
  completed,
  failed,
  poisoned = [],
  unit = 'minute',
  width = 120,
  height = 28,
}: {
  completed: number[];
  failed: number[];
  poisoned?: number[];
  unit?: string;
  width?: number;
  height?: number;
}) {
  const n = Math.max(completed.length, failed.length, 1);
  const totals = Array.from({ length: n }, (_, i) => (completed[i] ?? 0) + (failed[i] ?? 0));
  const max = Math.max(1, ...totals);
  const step = width / n;
  const barW = Math.max(1, step - (step > 3 ? 1 : 0));
  const scale = (v: number) => (v / max) * (height - 2);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const label = `${sum(completed)} completed, ${sum(failed)} failed, ${sum(poisoned)} poisoned in the last ${n} ${unit}s; busiest ${unit} ${Math.max(0, ...totals)}`;
  return (
    <svg role="img" aria-label={label} width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
      <title>{label}</title>
      <line x1="0" x2={width} y1={height - 0.5} y2={height - 0.5} className="stroke-slate-200" strokeWidth="1" />
      {totals.map((_, i) => {
        const c = scale(completed[i] ?? 0);
        const f = scale(failed[i] ?? 0);
        return (
          <g key={i}>
            {c > 0 && <rect x={i * step} y={height - 1 - c} width={barW} height={c} className="fill-emerald-500" />}
            {f > 0 && <rect x={i * step} y={height - 1 - c - f} width={barW} height={f} className="fill-red-500" />}
          </g>
        );
      })}
    </svg>
  );
}
