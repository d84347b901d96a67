'use client';

import { ROLES, Role, type IssueTokenBody } from '@/lib/contracts';
import { Button } from './ui';
import { useHydrated } from './useHydrated';

/**
 * Name, role and (for a worker token) the one worker it may act as. `onIssue` resolves once
 * issued; the form is then cleared.
 */
export function IssueTokenForm({ busy, error, onIssue }: { busy: boolean; error: string | null; onIssue: (body: IssueTokenBody) => Promise<unknown> }) {
  const hydrated = useHydrated();
  return (
    <form
      className="flex flex-wrap items-end gap-3 px-4 py-3"
      onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const data = new FormData(form);
        const name = String(data.get('name') ?? '').trim();
        const role = Role.catch('worker').parse(data.get('role'));
        const workerId = String(data.get('worker_id') ?? '').trim();
        const body: IssueTokenBody = workerId && role === 'worker' ? { name, role, worker_id: workerId } : { name, role };
        if (name) void onIssue(body).then(() => form.reset(), () => undefined);
      }}
    >
      <div className="space-y-1">
        <label htmlFor="token-name" className="block text-xs font-medium text-slate-600">
          Name
        </label>
        <input
          id="token-name"
          name="name"
          required
          maxLength={64}
          placeholder="worker-7"
          className="h-8 w-56 rounded border border-slate-300 px-2 text-sm"
        />
      </div>
      <div className="space-y-1">
        <label htmlFor="token-role" className="block text-xs font-medium text-slate-600">
          Role
        </label>
        <select id="token-role" name="role" defaultValue="worker" className="h-8 rounded border border-slate-300 bg-white px-1.5 text-sm">
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </div>
      <div className="space-y-1">
        <label htmlFor="token-worker" className="block text-xs font-medium text-slate-600">
          Acts only as worker <span className="font-normal text-slate-400">(optional)</span>
        </label>
        <input
          id="token-worker"
          name="worker_id"
          maxLength={128}
          pattern="[A-Za-z0-9._:\-]{1,128}"
          title="1–128 characters of A-Z a-z 0-9 . _ : -"
          placeholder="any worker"
          className="h-8 w-48 rounded border border-slate-300 px-2 font-mono text-sm"
        />
      </div>
      <Button type="submit" kind="primary" disabled={busy || !hydrated} className="h-8">
        {busy ? 'Issuing…' : 'Issue token'}
      </Button>
      {error && (
        <p role="alert" className="basis-full text-sm text-red-800">
          {error}
        </p>
      )}
    </form>
  );
}
