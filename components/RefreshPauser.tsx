'use client';

import type { LiveState } from '@/lib/query/live';

const LIVE = {
  live: { dot: 'bg-emerald-500', text: 'Live' },
  connecting: { dot: 'bg-amber-400', text: 'Connecting' },
  offline: { dot: 'bg-red-500', text: 'Polling only' },
} as const;

export interface RefreshPauserProps {
  intervalMs: number;
  choices: readonly number[];
  paused: boolean;
  live: LiveState;
  onIntervalChange: (ms: number) => void;
  onPausedChange: (paused: boolean) => void;
}

/** The one refresh knob: how often to poll, pause/resume, and whether live events arrive. */
export function RefreshPauser(p: RefreshPauserProps) {
  const live = p.paused ? { dot: 'bg-slate-400', text: 'Paused' } : LIVE[p.live];
  return (
    <div className="flex items-center gap-2 text-sm">
      <span className="flex items-center gap-1.5 text-slate-600" title="Live updates from the hub's event stream">
        <span aria-hidden className={`size-2 rounded-full ${live.dot}`} />
        <span data-testid="live-state">{live.text}</span>
      </span>
      <label className="sr-only" htmlFor="refresh-interval">
        Refresh interval
      </label>
      <select
        id="refresh-interval"
        value={p.intervalMs}
        onChange={(e) => p.onIntervalChange(Number(e.target.value))}
        className="rounded border border-slate-300 bg-white px-1.5 py-1 text-sm"
      >
        {p.choices.map((ms) => (
          <option key={ms} value={ms}>
            every {ms < 60_000 ? `${ms / 1000} s` : `${ms / 60_000} min`}
          </option>
        ))}
      </select>
      <button
        type="button"
        aria-pressed={p.paused}
        onClick={() => p.onPausedChange(!p.paused)}
        className="rounded border border-slate-300 bg-white px-2 py-1 font-medium hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-sky-600"
      >
        {p.paused ? 'Resume' : 'Pause'}
      </button>
    </div>
  );
}
