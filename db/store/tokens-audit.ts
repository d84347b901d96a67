import { randomBytes } from 'node:crypto';
import type { AuditEntry, PoolSettingsPatch, Role, TokenInfo } from '@/lib/contracts';
import { iso } from './values';
import type { Actor, NewAuditEntry } from './types';

/** `last_used_at` is written at most this often per token, so a busy worker does not write per request. */
export const TOUCH_EVERY_MS = 60_000;

/** A fresh token id: 16 hex digits, not guessable from its neighbours. */
export const newTokenId = () => randomBytes(8).toString('hex');

/** The columns both engines keep for a token (times in ms). */
interface TokenRow {
  id: string;
  name: string;
  role: string;
  workerId: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export function toTokenInfo(r: TokenRow): TokenInfo {
  return {
    id: r.id,
    name: r.name,
    role: r.role as Role,
    worker_id: r.workerId,
    created_at: iso(r.createdAt)!,
    last_used_at: iso(r.lastUsedAt),
    revoked_at: iso(r.revokedAt),
  };
}

export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown> | null;
  changed: number;
}

// The casts name values the store itself wrote from AuditAction and Role.
function toAuditEntry(r: AuditRow): AuditEntry {
  return {
    id: String(r.id),
    at: iso(r.at)!,
    actor: r.actor,
    role: r.role as Role,
    action: r.action as AuditEntry['action'],
    target: r.target,
    detail: r.detail,
    changed: r.changed,
  };
}

/** The audit rows of token issue and revoke. */
export const tokenAudit = (actor: Actor, action: 'token.issue' | 'token.revoke', t: { id: string; name: string; role: string; workerId: string | null }) => ({
  actor,
  action,
  target: t.id,
  detail: { name: t.name, role: t.role, ...(t.workerId ? { worker_id: t.workerId } : {}) },
  changed: 1,
});

/** Turns `limit + 1` rows read newest first into a page and its cursor. */
export function auditPage(rows: AuditRow[], limit: number) {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return { entries: page.map(toAuditEntry), next_cursor: more ? String(page[page.length - 1]!.id) : null };
}

/** An audit entry before its actor is known: what each operator action records. */
export type AuditFields = Omit<NewAuditEntry, 'actor'>;

/**
 * What a settings change records. Pausing or resuming alone is its own action, so the trail
 * reads as what the operator did. (Each write operation of db/store/ops states its own entry.)
 */
export const settingsAudit = (pool: string, patch: PoolSettingsPatch) => (): AuditFields => {
  const keys = Object.keys(patch);
  const action = keys.length === 1 && patch.paused !== undefined ? (patch.paused ? 'pool.pause' : 'pool.resume') : 'pool.settings';
  return { action, target: pool, detail: action === 'pool.settings' ? { ...patch } : null, changed: 1 };
};
