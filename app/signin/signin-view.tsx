'use client';

import { useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { SignInForm } from '@/components/SignInForm';
import { ApiError } from '@/lib/query/fetch';
import { safeNext } from '@/lib/query/rules';
import { signIn } from '@/lib/query/session';

/** Outside the dashboard layout: no data is fetched here before a session exists. */
export function SignInView() {
  const next = safeNext(useSearchParams().get('next'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (token: string) => {
    setBusy(true);
    setError(null);
    try {
      await signIn(token);
      // A full load, so the dashboard starts with the new session's role and event stream.
      window.location.assign(next);
    } catch (err) {
      setBusy(false);
      setError(
        err instanceof ApiError && err.status === 401
          ? 'The hub does not know this token (or it was revoked).'
          : `Could not sign in: ${(err as Error).message}`,
      );
    }
  };

  return (
    <main className="flex min-h-screen items-start justify-center px-4 pt-[15vh]">
      <div className="w-full max-w-sm space-y-6 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <div className="space-y-1">
          <p className="font-semibold tracking-tight">flatmachines-hub</p>
          <h1 className="text-xl font-semibold">Sign in</h1>
          <p className="text-sm text-slate-600">This hub needs a token. The dashboard keeps it in an httpOnly cookie for this browser.</p>
        </div>
        <SignInForm busy={busy} error={error} onSubmit={(t) => void submit(t)} />
      </div>
    </main>
  );
}
