'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { AuditTable } from '@/components/AuditTable';
import { Button, Card, Empty, ErrorState, Loading } from '@/components/ui';
import { useAudit } from '@/lib/query/hooks';
import { auditTargetHref } from '@/lib/query/rules';
import { useCan, useSession } from '@/lib/query/session';

export function AuditView() {
  const router = useRouter();
  const pathname = usePathname();
  const cursor = useSearchParams().get('cursor') ?? undefined;
  const [history, setHistory] = useState<string[]>([]);
  const session = useSession();
  const can = useCan();
  const allowed = can('audit');
  const audit = useAudit(cursor, allowed);
  const go = (c: string | undefined) => router.push(c ? `${pathname}?cursor=${encodeURIComponent(c)}` : pathname);

  return (
    <>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">Audit</h1>
        <p className="text-sm text-slate-500">Every operator action, newest first: who, what, on what, and how many it changed.</p>
      </div>
      <Card>
        {session.data && !allowed ? (
          <Empty>The {session.data.role} role cannot read the audit trail.</Empty>
        ) : audit.isPending ? (
          <Loading what="the audit trail" />
        ) : audit.isError ? (
          <ErrorState error={audit.error} onRetry={() => void audit.refetch()} />
        ) : audit.data.entries.length === 0 ? (
          <Empty>{cursor ? 'No older entries.' : 'No operator action has been recorded yet.'}</Empty>
        ) : (
          <div className={audit.isPlaceholderData ? 'opacity-60' : undefined}>
            <AuditTable rows={audit.data.entries.map((entry) => ({ entry, targetHref: auditTargetHref(entry) }))} />
          </div>
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
