import Link from 'next/link';
import type { ReactNode } from 'react';

const NAV = [
  { href: '/', label: 'Overview' },
  { href: '/workers', label: 'Workers' },
];

/** Page frame: title, navigation, the refresh control; works from phone width up. */
export function Shell({ pathname, controls, children }: { pathname: string; controls: ReactNode; children: ReactNode }) {
  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-x-6 gap-y-2 px-4 py-3">
          <div className="flex items-center gap-6">
            <Link href="/" className="font-semibold tracking-tight">
              flatmachines-hub
            </Link>
            <nav aria-label="Main" className="flex gap-4 text-sm">
              {NAV.map((n) => {
                const current = n.href === '/' ? pathname === '/' : pathname.startsWith(n.href);
                return (
                  <Link
                    key={n.href}
                    href={n.href}
                    aria-current={current ? 'page' : undefined}
                    className={`rounded-sm py-1 ${current ? 'font-semibold text-slate-900 underline decoration-2 underline-offset-8' : 'text-slate-600 hover:text-slate-900'}`}
                  >
                    {n.label}
                  </Link>
                );
              })}
            </nav>
          </div>
          {controls}
        </div>
      </header>
      <main id="main" className="mx-auto max-w-7xl space-y-6 px-4 py-6">
        {children}
      </main>
    </div>
  );
}
