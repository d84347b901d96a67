'use client';

import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { AuditTable } from '@/components/AuditTable';
import { Button, Card, Empty, ErrorState, Loading } from '@/components/ui';
import { AUDIT_ACTIONS } from '@/lib/contracts';
import { AUDIT_FILTERED_PAGE_SIZE, AUDIT_PAGE_SIZE, useAudit } from '@/lib/query/hooks';
import { auditFilterOf, auditMatches, auditTargetHref, isFiltered, type AuditFilter } from '@/lib/query/rules';
import { useCan, useSession } from '@/lib/query/session';

const input = 'h-8 w-full rounded border border-slate-300 bg-white px-2 text-sm';

/**
 * The audit trail, newest first, a page at a time. The filters (actor, action, target) are in
 * the address and applied here to the page loaded: the API pages the trail but does not filter
 * it, so a filtered page loads 500 entries at once and "Older →" looks further back.
 */
export function AuditView() {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const cursor = search.get('cursor') ?? undefined;
  const filter = auditFilterOf((name) => search.get(name));
  const filtered = isFiltered(filter);
  const [history, setHistory] = useState<string[]>([]);
  const session = useSession();
  const can = useCan();
  const allowed = can('audit');
  const audit = useAudit(cursor, allowed, filtered ? AUDIT_FILTERED_PAGE_SIZE : AUDIT_PAGE_SIZE);
  const href = (f: AuditFilter, c: string | undefined) => {
    const qs = new URLSearchParams();
    if (f.actor) qs.set('actor', f.actor);
    if (f.action) qs.set('action', f.action);
    if (f.target) qs.set('target', f.target);
    if (c) qs.set('cursor', c);
    return qs.size ? `${pathname}?${qs}` : pathname;
  };
  const go = (c: string | undefined) => router.push(href(filter, c));
  const entries = audit.data?.entries ?? [];
  const shown = entries.filter((e) => auditMatches(e, filter));

  return (
    <>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">Audit</h1>
        <p className="text-sm text-slate-500">Every operator action, newest first: who, what, on what, and how many it changed.</p>
      </div>
      {allowed && (
        <form
          role="search"
          aria-label="Filter the audit trail"
          // Keyed by the address, so Back and a cleared filter reset the fields.
          key={search.toString()}
          className="grid grid-cols-1 items-end gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-[1fr_1fr_1fr_auto]"
          onSubmit={(e) => {
            e.preventDefault();
            const form = new FormData(e.currentTarget);
            setHistory([]);
            router.push(href(auditFilterOf((name) => String(form.get(name) ?? '')), undefined));
          }}
        >
          <label className="space-y-1 text-sm">
            <span className="block font-medium">Actor</span>
            <input name="actor" defaultValue={filter.actor} placeholder="e.g. operator" maxLength={200} className={input} />
          </label>
          <label className="space-y-1 text-sm">
            <span className="block font-medium">Action</span>
            <select name="action" defaultValue={filter.action} className={input}>
              <option value="">any action</option>
              {AUDIT_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
          <label className="space-y-1 text-sm">
            <span className="block font-medium">Target</span>
            <input name="target" defaultValue={filter.target} placeholder="worker, pool, item or token id" maxLength={200} className={input} />
          </label>
          <div className="flex gap-2">
            <Button type="submit" kind="primary">
              Filter
            </Button>
            {filtered && (
              <Link href={pathname} className="inline-flex items-center rounded px-2.5 py-1 text-sm text-sky-700 hover:underline">
                Clear
              </Link>
            )}
          </div>
        </form>
      )}
      <Card>
        {session.data && !allowed ? (
          <Empty>The {session.data.role} role cannot read the audit trail.</Empty>
        ) : audit.isPending ? (
          <Loading what="the audit trail" />
        ) : audit.isError ? (
          <ErrorState error={audit.error} onRetry={() => void audit.refetch()} />
        ) : entries.length === 0 ? (
          <Empty>{cursor ? 'No older entries.' : 'No operator action has been recorded yet.'}</Empty>
        ) : shown.length === 0 ? (
          <Empty>
            None of these {entries.length} entries matches the filter.
            {audit.data.next_cursor && ' Older entries may: see “Older →”.'}
          </Empty>
        ) : (
          <div className={audit.isPlaceholderData ? 'opacity-60' : undefined}>
            <AuditTable rows={shown.map((entry) => ({ entry, targetHref: auditTargetHref(entry) }))} />
          </div>
        )}
        {filtered && shown.length > 0 && (
          <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500" data-testid="audit-filter-note">
            {shown.length} of the {entries.length} {cursor ? '' : 'most recent '}entries on this page match.
          </p>
        )}
        <div className="flex items-center justify-between gap-2 border-t border-slate-100 px-4 py-2 text-sm">
          <Button
            disabled={!cursor}
            onClick={() => {
              const back = history[history.length - 1];
              setHistory(history.slice(0, -1));
              go(back || undefined);
            }}
          >
            ← Newer
          </Button>
          <Button
            disabled={!audit.data?.next_cursor}
            onClick={() => {
              setHistory([...history, cursor ?? '']);
              go(audit.data?.next_cursor ?? undefined);
            }}
          >
            Older →
          </Button>
        </div>
      </Card>
    </>
  );
}
