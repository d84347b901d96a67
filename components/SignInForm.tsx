'use client';

import { Button } from './ui';
import { useHydrated } from './useHydrated';

export interface SignInFormProps {
  busy: boolean;
  /** Why the last attempt failed, if it did. */
  error: string | null;
  onSubmit: (token: string) => void;
}

/**
 * A token field and a button. The token goes to the hub once and lives on only in its cookie.
 * The field is read on submit, so what was typed while the page was still loading counts.
 */
export function SignInForm({ busy, error, onSubmit }: SignInFormProps) {
  const hydrated = useHydrated();
  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        const token = String(new FormData(e.currentTarget).get('token') ?? '').trim();
        if (token) onSubmit(token);
      }}
    >
      <div className="space-y-1">
        <label htmlFor="token" className="block text-sm font-medium">
          Token
        </label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="current-password"
          required
          maxLength={512}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'signin-error' : 'signin-help'}
          className="w-full rounded border border-slate-300 px-2 py-1.5 font-mono text-sm"
        />
        <p id="signin-help" className="text-xs text-slate-500">
          An operator or viewer token: HUB_OPERATOR_TOKEN, HUB_VIEWER_TOKEN, or one issued on the Tokens page.
        </p>
      </div>
      {error && (
        <p id="signin-error" role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      <Button type="submit" kind="primary" disabled={busy || !hydrated} className="w-full justify-center py-1.5">
        {busy ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
