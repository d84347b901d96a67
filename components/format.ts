import type { Backoff } from '@/lib/contracts';

/** "4 s", "3 min", "2 h 5 min", "3 d": short enough for a table cell. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** A timestamp as local date and time to the second; "—" for none. */
export function formatTime(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
}

/** A JSON value on one line, cut to `max` characters. */
export function preview(value: unknown, max = 120): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A retry backoff policy in words: "none", "30 s each time", "exponential from 2 s to 1 h, jitter 10%". */
export function describeBackoff(b: Backoff | null | undefined): string {
  if (!b || b.type === 'none') return 'none (retry at once)';
  if (b.type === 'fixed') return `${formatAge(b.delay_seconds * 1000)} each time`;
  return `exponential from ${formatAge(b.base_seconds * 1000)} to ${formatAge(b.max_seconds * 1000)}, jitter ${Math.round(b.jitter * 100)}%`;
}

/** A wait in seconds: "240 ms" under a second, else as formatAge; "—" for none. */
export function formatWait(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : formatAge(seconds * 1000);
}
