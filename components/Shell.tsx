import Link from 'next/link';
import type { ReactNode } from 'react';

export interface NavLink {
  href: string;
  label: string;
}

export interface ShellProps {
  pathname: string;
  /** The pages this role may open. */
  nav: NavLink[];
  controls: ReactNode;
  /** Who is signed in. */
  account?: ReactNode;
  /** A notice above every page (e.g. that the hub is open). */
  banner?: ReactNode;
  children: ReactNode;
}

/** Page frame: title, navigation, the refresh control, the account; works from phone width up. */
export function Shell({ pathname, nav, controls, account, banner, children }: ShellProps) {
  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-x-6 gap-y-2 px-4 py-3">
          <div className="flex flex-wrap items-center gap-x-6 gap-y-1">
            <Link href="/" className="font-semibold tracking-tight whitespace-nowrap">
              flatmachines-hub
            </Link>
            <nav aria-label="Main" className="flex flex-wrap gap-x-4 text-sm">
              {nav.map((n) => {
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
          <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
            {controls}
            {account}
          </div>
        </div>
      </header>
      {banner}
      <main id="main" className="mx-auto max-w-7xl space-y-6 px-4 py-6">
        {children}
      </main>
    </div>
  );
}
