'use client';

import { ROLES, Role, type IssueTokenBody } from '@/lib/contracts';
import { Button } from './ui';
import { useHydrated } from './useHydrated';

/** Name and role of a token to issue. `onIssue` resolves once issued; the name is then cleared. */
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
        if (name) void onIssue({ name, role }).then(() => form.reset(), () => undefined);
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
