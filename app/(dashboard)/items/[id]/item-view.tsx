'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { ItemView } from '@/components/ItemView';
import { Card, Empty, ErrorState, Loading } from '@/components/ui';
import { useConfirmAction } from '@/components/Actions';
import { ApiError } from '@/lib/query/fetch';
import { useDiscardItem, useItem, useRetryItem, useRunItem } from '@/lib/query/hooks';
import { useCan } from '@/lib/query/session';

export function ItemPageView({ id }: { id: string }) {
  const item = useItem(id);
  const router = useRouter();
  const ask = useConfirmAction();
  const retry = useRetryItem();
  const discard = useDiscardItem();
  const run = useRunItem();
  const can = useCan();

  if (item.isPending) return <Card><Loading what={`item ${id}`} /></Card>;
  if (item.isError) {
    return (
      <Card>
        {item.error instanceof ApiError && item.error.status === 404 ? (
          <Empty>
            Item <span className="font-mono">#{id}</span> does not exist (it may have been discarded or pruned).{' '}
            <Link href="/" className="text-sky-700 hover:underline">Back to the overview</Link>
          </Empty>
        ) : (
          <ErrorState error={item.error} onRetry={() => void item.refetch()} />
        )}
      </Card>
    );
  }
  const it = item.data;
  return (
    <ItemView
      item={it}
      onRetry={
        can('retry')
          ? () =>
            ask({
              title: `Retry item #${it.id}`,
              detail: `The ${it.status} item goes back to pending with attempts reset to 0; its history is kept.`,
              expected: 1,
              confirmLabel: 'Retry item',
              act: () => retry.mutateAsync(it.id),
            })
          : undefined
      }
      onRun={
        can('run')
          ? () =>
            ask({
              title: `Run item #${it.id} now`,
              detail: `The scheduled item becomes pending at once, instead of at ${new Date(it.run_at ?? Date.now()).toLocaleString()}; the next claim of ${it.pool} may take it.`,
              expected: 1,
              confirmLabel: 'Run now',
              act: () => run.mutateAsync(it.id),
            })
          : undefined
      }
      onDiscard={
        can('discard')
          ? () =>
            ask({
              title: `Discard item #${it.id}`,
              detail: `The ${it.status} item is deleted for good${it.status === 'claimed' ? `; ${it.claimed_by}'s completion will be refused` : ''}.`,
              expected: 1,
              confirmLabel: 'Discard item',
              act: async () => {
                const n = await discard.mutateAsync(it.id);
                router.push(`/pools/${encodeURIComponent(it.pool)}`);
                return n;
              },
            })
          : undefined
      }
    />
  );
}
