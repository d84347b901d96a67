/** Completed (green) and failed (red) per minute as two lines over the same scale. */
export function Sparkline({ completed, failed, width = 120, height = 28 }: { completed: number[]; failed: number[]; width?: number; height?: number }) {
  const n = Math.max(completed.length, failed.length);
  const max = Math.max(1, ...completed, ...failed);
  const points = (xs: number[]) =>
    xs.map((v, i) => `${((i / Math.max(1, n - 1)) * width).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`).join(' ');
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const label = `${sum(completed)} completed, ${sum(failed)} failed in the last ${n} minutes; peak ${max} per minute`;
  return (
    <svg role="img" aria-label={label} width={width} height={height} viewBox={`0 0 ${width} ${height}`} className="overflow-visible">
      <title>{label}</title>
      <line x1="0" x2={width} y1={height - 0.5} y2={height - 0.5} className="stroke-slate-200" strokeWidth="1" />
      <polyline points={points(completed)} fill="none" className="stroke-emerald-600" strokeWidth="1.5" />
      <polyline points={points(failed)} fill="none" className="stroke-red-500" strokeWidth="1.5" />
    </svg>
  );
}
