'use client';

import { useEffect, useState } from 'react';
import { Backoff, type PoolSettings, type PoolSettingsPatch } from '@/lib/contracts';
import { describeBackoff } from './format';
import { Button } from './ui';

const field = 'w-24 rounded border border-slate-300 px-2 py-1 text-sm tabular-nums';
const label = 'flex flex-col gap-1 text-xs text-slate-600';

/** The form's text fields, as typed. */
interface Draft {
  maxRetries: string;
  type: Backoff['type'];
  delay: string;
  base: string;
  max: string;
  jitter: string;
}

function draftOf(s: PoolSettings): Draft {
  const b = s.backoff;
  return {
    maxRetries: String(s.max_retries),
    type: b.type,
    delay: b.type === 'fixed' ? String(b.delay_seconds) : '30',
    base: b.type === 'exponential' ? String(b.base_seconds) : '1',
    max: b.type === 'exponential' ? String(b.max_seconds) : '3600',
    jitter: b.type === 'exponential' ? String(Math.round(b.jitter * 100)) : '10',
  };
}

/** The policy the draft describes, checked by the same contract the hub uses; or what is wrong. */
function backoffOf(d: Draft): { ok: true; value: Backoff } | { ok: false; error: string } {
  const candidate =
    d.type === 'none'
      ? { type: 'none' }
      : d.type === 'fixed'
        ? { type: 'fixed', delay_seconds: Number(d.delay) }
        : { type: 'exponential', base_seconds: Number(d.base), max_seconds: Number(d.max), jitter: Number(d.jitter) / 100 };
  const parsed = Backoff.safeParse(candidate);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, error: `${issue.path.join('.') || 'backoff'}: ${issue.message}` };
}

/**
 * A pool's defaults for the items pushed without their own: attempts before poisoning and the
 * retry backoff. Read-only for roles that may not change them (`onSave` absent).
 */
export function PoolSettingsForm({ settings, onSave }: { settings: PoolSettings; onSave?: ((patch: PoolSettingsPatch) => void) | undefined }) {
  const [draft, setDraft] = useState(() => draftOf(settings));
  const [dirty, setDirty] = useState(false);
  // Follow the hub while the operator has not started editing.
  useEffect(() => {
    if (!dirty) setDraft(draftOf(settings));
  }, [settings, dirty]);

  if (!onSave) {
    return (
      <dl className="grid grid-cols-1 gap-2 px-4 py-3 text-sm sm:grid-cols-2" data-testid="pool-settings">
        <div className="flex gap-2"><dt className="text-slate-500">Max retries</dt><dd className="tabular-nums">{settings.max_retries}</dd></div>
        <div className="flex gap-2"><dt className="text-slate-500">Backoff</dt><dd>{describeBackoff(settings.backoff)}</dd></div>
      </dl>
    );
  }

  const set = (patch: Partial<Draft>) => {
    setDirty(true);
    setDraft({ ...draft, ...patch });
  };
  const retries = Number(draft.maxRetries);
  const retriesError = Number.isInteger(retries) && retries >= 1 && retries <= 1000 ? null : 'max retries: a whole number from 1 to 1000';
  const backoff = backoffOf(draft);
  const error = retriesError ?? (backoff.ok ? null : backoff.error);

  return (
    <form
      className="flex flex-wrap items-end gap-4 px-4 py-3"
      data-testid="pool-settings"
      onSubmit={(e) => {
        e.preventDefault();
        if (error || !backoff.ok) return;
        onSave({ max_retries: retries, backoff: backoff.value });
        setDirty(false);
      }}
    >
      <label className={label}>
        Max retries
        <input className={field} inputMode="numeric" value={draft.maxRetries} onChange={(e) => set({ maxRetries: e.target.value })} aria-label="Max retries" />
      </label>
      <label className={label}>
        Backoff
        <select
          className="rounded border border-slate-300 px-2 py-1 text-sm"
          value={draft.type}
          onChange={(e) => set({ type: e.target.value as Backoff['type'] })}
          aria-label="Backoff"
        >
          <option value="none">none</option>
          <option value="fixed">fixed</option>
          <option value="exponential">exponential</option>
        </select>
      </label>
      {draft.type === 'fixed' && (
        <label className={label}>
          Delay (s)
          <input className={field} inputMode="decimal" value={draft.delay} onChange={(e) => set({ delay: e.target.value })} aria-label="Delay seconds" />
        </label>
      )}
      {draft.type === 'exponential' && (
        <>
          <label className={label}>
            First delay (s)
            <input className={field} inputMode="decimal" value={draft.base} onChange={(e) => set({ base: e.target.value })} aria-label="Base seconds" />
          </label>
          <label className={label}>
            Longest (s)
            <input className={field} inputMode="decimal" value={draft.max} onChange={(e) => set({ max: e.target.value })} aria-label="Max seconds" />
          </label>
          <label className={label}>
            Jitter (%)
            <input className={field} inputMode="numeric" value={draft.jitter} onChange={(e) => set({ jitter: e.target.value })} aria-label="Jitter percent" />
          </label>
        </>
      )}
      <Button type="submit" kind="primary" disabled={!dirty || error !== null}>
        Save settings
      </Button>
      {dirty && (
        <Button type="button" onClick={() => (setDirty(false), setDraft(draftOf(settings)))}>
          Cancel
        </Button>
      )}
      <p className="basis-full text-xs text-slate-500" role={error ? 'alert' : undefined}>
        {error ?? 'For items pushed without their own max_retries or backoff; items already in the pool keep their max_retries.'}
      </p>
    </form>
  );
}
