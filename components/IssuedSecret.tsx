'use client';

import { useState } from 'react';
import type { IssuedToken } from '@/lib/contracts';
import { Button } from './ui';

/** Copies `text`; falls back to selecting it where the Clipboard API is missing (plain http). */
async function copy(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input?.select();
    return false;
  }
}

/** The secret of a token just issued: the one time it is shown. */
export function IssuedSecret({ issued, onDone }: { issued: IssuedToken; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'select' | null>(null);
  const id = `secret-${issued.id}`;
  return (
    <div role="region" aria-label="New token" className="space-y-2 border-t border-amber-200 bg-amber-50 px-4 py-3 text-sm">
      <p className="font-medium text-amber-900">
        Token for <strong>{issued.name}</strong> ({issued.role}). Copy it now: it will not be shown again.
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor={id} className="sr-only">
          Token secret
        </label>
        <input
          id={id}
          readOnly
          value={issued.token}
          data-testid="issued-secret"
          onFocus={(e) => e.currentTarget.select()}
          className="w-full max-w-xl rounded border border-amber-300 bg-white px-2 py-1 font-mono text-xs"
        />
        <Button onClick={(e) => void copy(issued.token, (e.currentTarget.parentElement?.querySelector('input') ?? null)).then((ok) => setCopied(ok ? 'yes' : 'select'))}>
          Copy
        </Button>
        <Button onClick={onDone}>I have stored it</Button>
        <span aria-live="polite" className="text-xs text-amber-900">
          {copied === 'yes' ? 'Copied.' : copied === 'select' ? 'Selected: press Ctrl+C to copy.' : ''}
        </span>
      </div>
    </div>
  );
}
