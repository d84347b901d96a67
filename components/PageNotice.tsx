import Link from 'next/link';
import type { ReactNode } from 'react';

/**
 * A page of its own instead of the one asked for (an address that is no page, a page that
 * failed): the hub's name over one card, in the look of the sign-in page. The name links home.
 */
export function PageNotice({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <main className="flex min-h-screen items-start justify-center px-4 pt-[15vh]">
      <div className="w-full max-w-md space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <Link href="/" className="font-semibold tracking-tight">
          flatmachines-hub
        </Link>
        <h1 className="text-xl font-semibold">{title}</h1>
        <div className="space-y-2 text-sm text-slate-600">{children}</div>
        {actions && <div className="flex flex-wrap items-center gap-3">{actions}</div>}
      </div>
    </main>
  );
}

const linkBase =
  'inline-flex items-center rounded px-2.5 py-1 text-sm font-medium whitespace-nowrap ring-1 ring-inset focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600';
/** Links that look like the buttons of components/ui.tsx. */
export const linkButton = {
  primary: `${linkBase} bg-slate-900 text-white ring-slate-900 hover:bg-slate-700`,
  default: `${linkBase} bg-white text-slate-800 ring-slate-300 hover:bg-slate-50`,
};
