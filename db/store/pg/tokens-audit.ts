import { and, asc, desc, eq, isNull, lt, or } from 'drizzle-orm';
import type { AuditPage, AuditQuery, Role, TokenInfo } from '@/lib/contracts';
import { audit, tokens } from '@/db/schema/pg';
import { auditPage, newTokenId, tokenAudit, toTokenInfo, TOUCH_EVERY_MS, type AuditFields } from '../tokens-audit';
import type { Actor, HubEvent, NewAuditEntry, NewToken, Outcome, TokenHolder } from '../types';
import { writeTx, type PgCtx, type PgExec } from './context';

// The same semantics as db/store/sqlite/tokens-audit.ts (specified on HubStore in db/store/types.ts).

async function insertAudit(db: PgExec, at: number, e: NewAuditEntry) {
  await db.insert(audit).values({
    at,
    actor: e.actor.name,
    role: e.actor.role,
    action: e.action,
    target: e.target,
    detail: e.detail,
    changed: e.changed,
  });
}

/**
 * Runs an operator action and records it in one transaction: the action runs on the
 * transaction's connection, its own writeTx joins it (see PgCtx.tx), and its events are held and
 * told after the commit. Without `by`, just runs it.
 */
export async function audited<T>(
  ctx: PgCtx,
  by: Actor | undefined,
  run: (c: PgCtx) => Promise<T>,
  entryOf: (result: T) => AuditFields | null,
): Promise<T> {
  if (!by) return run(ctx);
  const held: HubEvent[] = [];
  const result = await writeTx(ctx, async (tx) => {
    const r = await run({ ...ctx, db: tx, tx, emit: (e) => held.push(e) });
    const entry = entryOf(r);
    if (entry) await insertAudit(tx, ctx.clock(), { actor: by, ...entry });
    return r;
  });
  for (const e of held) ctx.emit(e);
  return result;
}

export async function recordAudit(ctx: PgCtx, e: NewAuditEntry): Promise<void> {
  await insertAudit(ctx.db, ctx.clock(), e);
}

export async function issueToken(ctx: PgCtx, input: NewToken, actor: Actor): Promise<TokenInfo> {
  const now = ctx.clock();
  return writeTx(ctx, async (tx) => {
    const [row] = await tx
      .insert(tokens)
      .values({ id: newTokenId(), name: input.name, role: input.role, tokenHash: input.tokenHash, workerId: input.workerId ?? null, createdAt: now })
      .returning();
    await insertAudit(tx, now, tokenAudit(actor, 'token.issue', row!));
    return toTokenInfo(row!);
  });
}

export async function listTokens(ctx: PgCtx): Promise<TokenInfo[]> {
  return (await ctx.db.select().from(tokens).orderBy(asc(tokens.createdAt), asc(tokens.id))).map(toTokenInfo);
}

export async function revokeToken(ctx: PgCtx, id: string, actor: Actor): Promise<Outcome<TokenInfo, 'token-not-found'>> {
  const now = ctx.clock();
  return writeTx(ctx, async (tx): Promise<Outcome<TokenInfo, 'token-not-found'>> => {
    const [row] = await tx.update(tokens).set({ revokedAt: now }).where(and(eq(tokens.id, id), isNull(tokens.revokedAt))).returning();
    if (row) {
      await insertAudit(tx, now, tokenAudit(actor, 'token.revoke', row));
      return { ok: true, value: toTokenInfo(row) };
    }
    const [existing] = await tx.select().from(tokens).where(eq(tokens.id, id));
    return existing ? { ok: true, value: toTokenInfo(existing) } : { ok: false, code: 'token-not-found', detail: `token ${id} not found` };
  });
}

export async function findToken(ctx: PgCtx, tokenHash: string): Promise<TokenHolder | null> {
  const [row] = await ctx.db
    .select({ id: tokens.id, name: tokens.name, role: tokens.role, workerId: tokens.workerId })
    .from(tokens)
    .where(and(eq(tokens.tokenHash, tokenHash), isNull(tokens.revokedAt)));
  return row ? { ...row, role: row.role as Role } : null;
}

export async function touchToken(ctx: PgCtx, id: string): Promise<void> {
  const now = ctx.clock();
  await ctx.db
    .update(tokens)
    .set({ lastUsedAt: now })
    .where(and(eq(tokens.id, id), or(isNull(tokens.lastUsedAt), lt(tokens.lastUsedAt, now - TOUCH_EVERY_MS))));
}

export async function listAudit(ctx: PgCtx, q: AuditQuery): Promise<AuditPage> {
  const rows = await ctx.db
    .select()
    .from(audit)
    .where(q.cursor === undefined ? undefined : lt(audit.id, Number(q.cursor)))
    .orderBy(desc(audit.id))
    .limit(q.limit + 1);
  // jsonb arrives parsed; the store wrote an object or NULL.
  return auditPage(rows.map((r) => ({ ...r, detail: r.detail as Record<string, unknown> | null })), q.limit);
}
