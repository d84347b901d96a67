'use client';

import { useState } from 'react';
import { ROLES, type IssueTokenBody, type Role } from '@/lib/contracts';
import { Button } from './ui';

/** Name and role of a token to issue. `onIssue` resolves once issued; the name is then cleared. */
export function IssueTokenForm({ busy, error, onIssue }: { busy: boolean; error: string | null; onIssue: (body: IssueTokenBody) => Promise<unknown> }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('worker');
  return (
    <form
      className="flex flex-wrap items-end gap-3 px-4 py-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (name.trim()) void onIssue({ name: name.trim(), role }).then(() => setName(''), () => undefined);
      }}
    >
      <div className="space-y-1">
        <label htmlFor="token-name" className="block text-xs font-medium text-slate-600">
          Name
        </label>
        <input
          id="token-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
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
        <select id="token-role" value={role} onChange={(e) => setRole(e.target.value as Role)} className="h-8 rounded border border-slate-300 bg-white px-1.5 text-sm">
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </div>
      <Button type="submit" kind="primary" disabled={busy || !name.trim()} className="h-8">
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
