import type { TokenInfo } from '@/lib/contracts';
import { formatTime } from './format';
import { Badge, Button, cell, phoneOnly, Table, wideCell } from './ui';

/**
 * Issued tokens (never their secrets), each revocable until it is revoked. On a phone: name (with
 * whom it acts as, its last use and whether it is revoked under it), role and action.
 */
export function TokensTable({ tokens, onRevoke }: { tokens: TokenInfo[]; onRevoke: (t: TokenInfo) => void }) {
  return (
    <Table label="Issued tokens" wide={[2, 3, 4, 5]} head={['Name', 'Role', 'Acts as', 'Created', 'Last used', 'Revoked', 'Actions']}>
      {tokens.map((t) => (
        <tr key={t.id} data-testid={`token-row-${t.name}`} className={t.revoked_at ? 'text-slate-400' : undefined}>
          <td className={cell}>
            <span className="font-medium wrap-anywhere">{t.name}</span>
            <span className={`${phoneOnly} block text-xs text-slate-500`}>
              {t.worker_id && `acts as ${t.worker_id} · `}used {t.last_used_at ? formatTime(t.last_used_at) : 'never'}
              {t.revoked_at && ' · revoked'}
            </span>
          </td>
          <td className={cell}>
            <Badge tone={t.role === 'operator' ? 'blue' : 'neutral'}>{t.role}</Badge>
          </td>
          <td className={`${cell} font-mono text-xs wrap-anywhere ${wideCell}`} data-testid="token-worker">
            {t.worker_id ?? (t.role === 'worker' ? 'any worker' : '—')}
          </td>
          <td className={`${cell} text-xs whitespace-nowrap ${wideCell}`}>{formatTime(t.created_at)}</td>
          <td className={`${cell} text-xs whitespace-nowrap ${wideCell}`}>{t.last_used_at ? formatTime(t.last_used_at) : 'never'}</td>
          <td className={`${cell} text-xs whitespace-nowrap ${wideCell}`}>
            {t.revoked_at ? <Badge tone="red">revoked {formatTime(t.revoked_at)}</Badge> : '—'}
          </td>
          <td className={cell}>
            {!t.revoked_at && (
              <Button kind="danger" onClick={() => onRevoke(t)} aria-label={`Revoke ${t.name}`}>
                Revoke
              </Button>
            )}
          </td>
        </tr>
      ))}
    </Table>
  );
}
