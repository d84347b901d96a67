import Link from 'next/link';
import type { ItemDetail } from '@/lib/contracts';
import { describeBackoff, formatTime } from './format';
import { StatusBadge } from './StatusBadge';
import { Badge, Button, Card, cell, Empty, link, phoneOnly, Table, wideCell } from './ui';

const retryable = (s: ItemDetail['status']) => s === 'poisoned' || s === 'completed';

function Json({ value, label }: { value: unknown; label: string }) {
  return (
    <pre aria-label={label} className="max-h-96 overflow-auto bg-slate-50 px-4 py-3 font-mono text-xs wrap-anywhere whitespace-pre-wrap">
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

export interface ItemViewProps {
  item: ItemDetail;
  /** Absent when the signed-in role may not retry: no button is shown. */
  onRetry?: (() => void) | undefined;
  onDiscard?: (() => void) | undefined;
  /** A scheduled item's "Run now"; absent for roles that may not. */
  onRun?: (() => void) | undefined;
}

/** One item: its facts, data, result, and every attempt. */
export function ItemView({ item, onRetry, onDiscard, onRun }: ItemViewProps) {
  const scheduled = item.status === 'scheduled';
  const facts: [string, React.ReactNode][] = [
    ['Status', <StatusBadge key="s" status={item.status} />],
    ['Pool', <Link key="p" className={link} href={`/pools/${encodeURIComponent(item.pool)}`}>{item.pool}</Link>],
    ['Attempts', `${item.attempts} of ${item.max_retries}`],
    ['Claimed by', item.claimed_by ?? '—'],
    ['Created', formatTime(item.created_at)],
    ['Claimed', formatTime(item.claimed_at)],
    ['Completed', formatTime(item.completed_at)],
    // A scheduled item that failed before waits for its backoff; one never claimed was pushed delayed.
    [scheduled ? (item.attempts > 0 ? 'Next attempt' : 'Runs at') : 'Was due', scheduled || item.run_at ? formatTime(item.run_at) : '—'],
    ['Priority', String(item.priority)],
    ['Key', item.key ?? '—'],
    ['Backoff', item.backoff ? describeBackoff(item.backoff) : "the pool's"],
  ];
  return (
    <div className="space-y-6">
      <Card
        title={<span>Item <span className="font-mono">#{item.id}</span></span>}
        actions={
          onRetry || onDiscard || onRun ? (
            <>
              {onRun && scheduled && (
                <Button kind="primary" onClick={onRun}>
                  Run now
                </Button>
              )}
              {onRetry && (
                <Button onClick={onRetry} disabled={!retryable(item.status)} title={retryable(item.status) ? undefined : 'Only poisoned or completed items can be retried'}>
                  Retry
                </Button>
              )}
              {onDiscard && (
                <Button kind="danger" onClick={onDiscard}>
                  Discard
                </Button>
              )}
            </>
          ) : undefined
        }
      >
        <dl className="grid grid-cols-1 gap-x-6 gap-y-2 px-4 py-3 text-sm sm:grid-cols-2 lg:grid-cols-4">
          {facts.map(([k, v]) => (
            <div key={k} className="flex min-w-0 gap-2">
              <dt className="w-24 shrink-0 text-slate-500">{k}</dt>
              <dd className="min-w-0 wrap-anywhere" data-testid={`fact-${k.toLowerCase().replace(' ', '-')}`}>{v}</dd>
            </div>
          ))}
        </dl>
        {item.last_error && (
          <div className="border-t border-slate-200 px-4 py-3">
            <h3 className="text-xs tracking-wide text-slate-500 uppercase">Last error{item.last_error_type && ` · ${item.last_error_type}`}</h3>
            <pre className="mt-1 text-xs wrap-anywhere whitespace-pre-wrap text-red-800">{item.last_error}</pre>
          </div>
        )}
      </Card>
      {/* min-w-0: a grid column may be narrower than its longest unbroken value, which wraps. */}
      <div className="grid gap-6 *:min-w-0 lg:grid-cols-2">
        <Card title="Data">
          <Json label="Data" value={item.data} />
        </Card>
        <Card title="Result">{item.result === null ? <Empty>No result.</Empty> : <Json label="Result" value={item.result} />}</Card>
      </div>
      <Card title="History">
        {item.history.length === 0 ? (
          <Empty>Never claimed yet.</Empty>
        ) : (
          <Table label="History" wide={[2, 3]} head={['Attempt', 'Worker', 'Claimed', 'Ended', 'Outcome', 'Error']}>
            {item.history.map((h, i) => (
              <tr key={i}>
                <td className={`${cell} tabular-nums`}>{h.attempt}</td>
                <td className={`${cell} font-mono text-xs wrap-anywhere`}>{h.worker_id ?? '—'}</td>
                <td className={`${cell} whitespace-nowrap text-xs ${wideCell}`}>{formatTime(h.claimed_at)}</td>
                <td className={`${cell} whitespace-nowrap text-xs ${wideCell}`}>{formatTime(h.ended_at)}</td>
                <td className={cell}>
                  <Badge tone={h.outcome === 'completed' ? 'green' : h.outcome === 'failed' ? 'red' : h.outcome === 'released' ? 'amber' : 'blue'}>
                    {h.outcome ?? 'running'}
                  </Badge>
                  <span className={`${phoneOnly} mt-1 block text-xs text-slate-500`}>{formatTime(h.ended_at ?? h.claimed_at)}</span>
                </td>
                <td className={`${cell} max-w-md text-xs wrap-anywhere whitespace-pre-wrap text-red-800`}>
                  {h.error_type && <span className="block font-semibold">{h.error_type}</span>}
                  {h.error && <pre className="max-h-64 overflow-auto font-mono wrap-anywhere whitespace-pre-wrap">{h.error}</pre>}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
    </div>
  );
}
