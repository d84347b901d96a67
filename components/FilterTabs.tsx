import Link from 'next/link';

export interface FilterTab {
  label: string;
  href: string;
  count?: number | undefined;
  current: boolean;
}

/** A row of links that filter a view; the address carries the filter so it can be bookmarked. */
export function FilterTabs({ label, tabs }: { label: string; tabs: FilterTab[] }) {
  return (
    <nav aria-label={label} className="flex flex-wrap gap-1 border-b border-slate-200">
      {tabs.map((t) => (
        <Link
          key={t.label}
          href={t.href}
          aria-current={t.current ? 'page' : undefined}
          className={`-mb-px rounded-t border px-3 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-sky-600 ${t.current ? 'border-slate-200 border-b-white bg-white font-semibold' : 'border-transparent text-slate-600 hover:text-slate-900'}`}
        >
          {t.label}
          {/* A real space: without it the link's accessible name runs together ("pending12"). */}
          {t.count !== undefined && (
            <>
              {' '}
              <span className="text-xs text-slate-500 tabular-nums">{t.count}</span>
            </>
          )}
        </Link>
      ))}
    </nav>
  );
}
