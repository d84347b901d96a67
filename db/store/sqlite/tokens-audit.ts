import { and, asc, desc, eq, isNull, lt, or } from 'drizzle-orm';
import type { AuditPage, AuditQuery, Role, TokenInfo } from '@/lib/contracts';
import { audit, tokens } from '@/db/schema/sqlite';
import { fromJson } from '../values';
import { auditPage, newTokenId, tokenAudit, toTokenInfo, TOUCH_EVERY_MS, type AuditFields } from '../tokens-audit';
import type { Actor, HubEvent, NewAuditEntry, NewToken, Outcome, TokenHolder } from '../types';
import { prepared } from '../ops/sql';
import { writeTx, type SqliteCtx, type SqliteDb } from './context';

function insertAudit(db: SqliteDb, at: number, e: NewAuditEntry) {
  db.insert(audit)
    .values({
      at,
      actor: e.actor.name,
      role: e.actor.role,
      action: e.action,
      target: e.target,
      detail: e.detail === null ? null : JSON.stringify(e.detail),
      changed: e.changed,
    })
    .run();
}

/**
 * Runs an operator action and records it in one transaction (the action's own transactions nest
 * in it as savepoints). Its events are held and told after the commit. Without `by`, just runs it.
 */
export function audited<T>(ctx: SqliteCtx, by: Actor | undefined, run: (c: SqliteCtx) => T, entryOf: (result: T) => AuditFields | null): T {
  if (!by) return run(ctx);
  const held: HubEvent[] = [];
  const result = writeTx(ctx, (tx) => {
    const r = run({ ...ctx, emit: (e) => held.push(e) });
    const entry = entryOf(r);
    if (entry) insertAudit(tx, ctx.clock(), { actor: by, ...entry });
    return r;
  });
  for (const e of held) ctx.emit(e);
  return result;
}

export function recordAudit(ctx: SqliteCtx, e: NewAuditEntry): void {
  insertAudit(ctx.db, ctx.clock(), e);
}

export function issueToken(ctx: SqliteCtx, input: NewToken, actor: Actor): TokenInfo {
  const now = ctx.clock();
  return writeTx(ctx, (tx) => {
    const row = tx
      .insert(tokens)
      .values({ id: newTokenId(), name: input.name, role: input.role, tokenHash: input.tokenHash, workerId: input.workerId ?? null, createdAt: now })
      .returning()
      .get();
    insertAudit(tx, now, tokenAudit(actor, 'token.issue', row));
    return toTokenInfo(row);
  });
}

export function listTokens(ctx: SqliteCtx): TokenInfo[] {
  return ctx.db.select().from(tokens).orderBy(asc(tokens.createdAt), asc(tokens.id)).all().map(toTokenInfo);
}

export function revokeToken(ctx: SqliteCtx, id: string, actor: Actor): Outcome<TokenInfo, 'token-not-found'> {
  const now = ctx.clock();
  return writeTx(ctx, (tx): Outcome<TokenInfo, 'token-not-found'> => {
    const row = tx.update(tokens).set({ revokedAt: now }).where(and(eq(tokens.id, id), isNull(tokens.revokedAt))).returning().get();
    if (row) {
      insertAudit(tx, now, tokenAudit(actor, 'token.revoke', row));
      return { ok: true, value: toTokenInfo(row) };
    }
    const existing = tx.select().from(tokens).where(eq(tokens.id, id)).get();
    return existing ? { ok: true, value: toTokenInfo(existing) } : { ok: false, code: 'token-not-found', detail: `token ${id} not found` };
  });
}

/**
 * Every request with an issued token looks it up: a statement prepared once (on first use, so a
 * store opened on a database migrated only part of the way, in the migration tests, opens).
 */
const FIND_TOKEN = `SELECT id, name, role, worker_id AS workerId FROM tokens WHERE token_hash = ? AND revoked_at IS NULL`;

export function findToken(ctx: SqliteCtx, tokenHash: string): TokenHolder | null {
  const row = prepared<[string], { id: string; name: string; role: string; workerId: string | null }>(ctx, FIND_TOKEN).get(tokenHash);
  return row ? { ...row, role: row.role as Role } : null;
}

export function touchToken(ctx: SqliteCtx, id: string): void {
  const now = ctx.clock();
  ctx.db
    .update(tokens)
    .set({ lastUsedAt: now })
    .where(and(eq(tokens.id, id), or(isNull(tokens.lastUsedAt), lt(tokens.lastUsedAt, now - TOUCH_EVERY_MS))))
    .run();
}

export function listAudit(ctx: SqliteCtx, q: AuditQuery): AuditPage {
  const rows = ctx.db
    .select()
    .from(audit)
    .where(q.cursor === undefined ? undefined : lt(audit.id, Number(q.cursor)))
    .orderBy(desc(audit.id))
    .limit(q.limit + 1)
    .all();
  return auditPage(
    rows.map((r) => ({ ...r, detail: fromJson(r.detail) as Record<string, unknown> | null })),
    q.limit,
  );
}
