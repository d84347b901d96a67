import Link from 'next/link';
import { Suspense } from 'react';
import { isOpen } from '@/lib/http/auth';
import { config } from '@/lib/env';
import { safeNext } from '@/lib/query/rules';
import { SignInView } from './signin-view';

export const metadata = { title: 'Sign in · flatmachines-hub' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  // The root layout reads the request, so this runs per request with the running hub's config.
  if (isOpen(config())) {
    const next = (await searchParams).next;
    return <OpenHub next={safeNext(typeof next === 'string' ? next : null)} />;
  }
  // SignInView reads `?next=` from the query string.
  return (
    <Suspense>
      <SignInView />
    </Suspense>
  );
}

/** No token is configured: there is nothing to sign in to, everyone is the operator. */
function OpenHub({ next }: { next: string }) {
  return (
    <main className="flex min-h-screen items-start justify-center px-4 pt-[15vh]">
      <div className="w-full max-w-sm space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="signin-open">
        <p className="font-semibold tracking-tight">flatmachines-hub</p>
        <h1 className="text-xl font-semibold">No sign-in needed</h1>
        <p className="text-sm text-slate-600">
          This hub is open: no token is configured, so anyone who reaches it is an operator (it listens on 127.0.0.1 only).
        </p>
        <Link href={next} className="inline-block rounded bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">
          Open the dashboard
        </Link>
      </div>
    </main>
  );
}
