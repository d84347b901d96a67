import type { ButtonHTMLAttributes, ReactNode } from 'react';

const tones = {
  neutral: 'bg-slate-100 text-slate-700 ring-slate-300',
  green: 'bg-emerald-50 text-emerald-800 ring-emerald-300',
  blue: 'bg-sky-50 text-sky-800 ring-sky-300',
  amber: 'bg-amber-50 text-amber-900 ring-amber-300',
  red: 'bg-red-50 text-red-800 ring-red-300',
} as const;
export type Tone = keyof typeof tones;

export function Badge({ tone = 'neutral', children, title }: { tone?: Tone; children: ReactNode; title?: string }) {
  return (
    <span title={title} className={`inline-flex items-center rounded px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${tones[tone]}`}>
      {children}
    </span>
  );
}

const buttonKinds = {
  default: 'bg-white text-slate-800 ring-slate-300 hover:bg-slate-50',
  primary: 'bg-slate-900 text-white ring-slate-900 hover:bg-slate-700',
  danger: 'bg-white text-red-700 ring-red-300 hover:bg-red-50',
} as const;

export function Button({
  kind = 'default',
  className = '',
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { kind?: keyof typeof buttonKinds }) {
  return (
    <button
      type="button"
      {...props}
      className={`inline-flex items-center justify-center gap-1 rounded px-2.5 py-1 text-sm font-medium whitespace-nowrap ring-1 ring-inset focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:cursor-not-allowed disabled:opacity-50 ${buttonKinds[kind]} ${className}`}
    />
  );
}

export function Card({ title, actions, children }: { title?: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
      {(title || actions) && (
        <header className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 px-4 py-2.5">
          {title && <h2 className="text-base font-semibold">{title}</h2>}
          {actions && <div className="flex flex-wrap gap-2">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="animate-pulse px-4 py-6 text-sm text-slate-500">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="px-4 py-6 text-sm text-slate-500">{children}</p>;
}

export function ErrorState({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  return (
    <div role="alert" className="flex flex-wrap items-center gap-3 px-4 py-4 text-sm text-red-800">
      <span>Could not load: {error.message}</span>
      {onRetry && <Button onClick={onRetry}>Try again</Button>}
    </div>
  );
}

/**
 * A table that fits a phone: the columns listed in `wide` are shown from the `sm` breakpoint
 * (640 px) up, and their cells carry `wideCell`; what a phone still needs of them is shown in
 * a kept column with `phoneOnly`. Anything wider still scrolls inside the table, not the page.
 */
export function Table({
  label,
  head,
  numeric = [],
  wide = [],
  children,
}: {
  label: string;
  head: ReactNode[];
  numeric?: number[];
  wide?: number[];
  children: ReactNode;
}) {
  return (
    <div className="overflow-x-auto">
      <table aria-label={label} className="w-full text-left text-sm">
        <thead className="bg-slate-50 text-xs tracking-wide text-slate-500 uppercase">
          <tr>
            {head.map((h, i) => (
              <th
                key={i}
                scope="col"
                className={`px-3 py-2 font-medium whitespace-nowrap ${numeric.includes(i) ? 'text-right' : ''} ${wide.includes(i) ? wideCell : ''}`}
              >
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}

/** A cell of a column listed in the Table's `wide`: hidden on a phone. */
export const wideCell = 'hidden sm:table-cell';
/** Shown on a phone only: what the hidden columns said, inside a kept cell. */
export const phoneOnly = 'sm:hidden';

export const cell = 'px-3 py-2 align-middle';
export const link = 'text-sky-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600 rounded-sm';
