import { z } from 'zod';
import { Name } from './common';

/**
 * Who may do what, and what they did.
 * - **role**: `operator` (everything), `worker` (register, heartbeat, push, claim, complete, fail,
 *   reads), `viewer` (reads only).
 * - **token**: a bearer secret of one role. Either configured (`HUB_OPERATOR_TOKEN`,
 *   `HUB_WORKER_TOKEN`, `HUB_VIEWER_TOKEN`) or issued by an operator through the API; issued ones
 *   are stored hashed, shown once, and can be revoked.
 * - **session**: the dashboard's httpOnly cookie holding a token after sign-in.
 * - **audit entry**: one operator action: who (token name), what, on which items or filter, how many
 *   changed, and when.
 */
export const ROLES = ['operator', 'worker', 'viewer'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/**
 * The one permission table: what a request (or a dashboard button) needs, and the roles that have
 * it. Read by the route kit (lib/http/auth.ts) and the dashboard (lib/query/rules.ts).
 * `public`: no token at all; `read`: any role; `oversee`: the audit trail (not workers);
 * `worker`: register, heartbeat, push, claim, complete, fail; `operator`: everything else.
 */
export const NEEDS = {
  public: ROLES,
  read: ROLES,
  oversee: ['operator', 'viewer'],
  worker: ['operator', 'worker'],
  operator: ['operator'],
} as const satisfies Record<string, readonly Role[]>;
export type Need = keyof typeof NEEDS;

/**
 * What the dashboard offers, in the same table: the need of each button, and the API operations
 * it calls (their `id` in lib/contracts/api.ts). A button needs at least what every operation it
 * calls needs (a test holds this); `drain` needs more: a worker may set its own status, only an
 * operator drains another. The hub refuses anyway (403); the dashboard just shows no button that
 * cannot work.
 */
export const DASHBOARD_ACTIONS = {
  release: { need: 'operator', calls: ['releaseWorker', 'releasePool'] },
  drain: { need: 'operator', calls: ['setWorkerStatus'] },
  retry: { need: 'operator', calls: ['retryItem', 'retryPool'] },
  discard: { need: 'operator', calls: ['deleteItem', 'discardPool'] },
  run: { need: 'operator', calls: ['runItem'] },
  pause: { need: 'operator', calls: ['pausePool', 'resumePool'] },
  settings: { need: 'operator', calls: ['updatePoolSettings'] },
  tokens: { need: 'operator', calls: ['listTokens', 'issueToken', 'revokeToken'] },
  audit: { need: 'oversee', calls: ['listAudit'] },
} as const satisfies Record<string, { need: Need; calls: readonly string[] }>;
export type DashboardAction = keyof typeof DASHBOARD_ACTIONS;

/** Who did something: a token's name and role (`anonymous` operator on an open hub). */
export interface Actor {
  name: string;
  role: Role;
}

/** Whether `role` has what `need` asks for. */
export const roleMay = (role: Role, need: Need): boolean => (NEEDS[need] as readonly Role[]).includes(role);

/** An issued token as listed: never its secret. */
export const TokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  /** A per-worker token: it may register, heartbeat, set the status of, claim, complete and fail as this worker only. */
  worker_id: z.string().nullable(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
export type TokenInfo = z.infer<typeof TokenInfo>;

export const IssueTokenBody = z.strictObject({
  /** Who or what holds it, e.g. `worker-7` or `alice`; shown in the audit trail. */
  name: z.string().trim().min(1).max(64),
  role: Role.default('worker'),
  /** Binds the token to one worker id (role `worker` only): it may act as that worker and no other. */
  worker_id: Name.optional(),
}).refine((b) => b.worker_id === undefined || b.role === 'worker', { message: 'only a worker token can be bound to a worker', path: ['worker_id'] });
export type IssueTokenBody = z.infer<typeof IssueTokenBody>;

/** The answer to issuing: the only time the secret is shown. */
export const IssuedToken = TokenInfo.extend({ token: z.string() });
export type IssuedToken = z.infer<typeof IssuedToken>;
export const TokenList = z.object({ tokens: z.array(TokenInfo) });

export const AUDIT_ACTIONS = [
  'worker.release',
  'worker.status',
  'pool.release',
  'pool.retry',
  'pool.discard',
  'pool.pause',
  'pool.resume',
  'pool.settings',
  'item.retry',
  'item.run',
  'item.delete',
  'reap',
  'token.issue',
  'token.revoke',
] as const;
export const AuditAction = z.enum(AUDIT_ACTIONS);

export const AuditEntry = z.object({
  id: z.string(),
  at: z.string(),
  /** The token's name (`operator` for HUB_OPERATOR_TOKEN, `anonymous` on an open hub). */
  actor: z.string(),
  role: Role,
  action: AuditAction,
  /** What it acted on: a worker id, pool name, item id or token id. */
  target: z.string().nullable(),
  /** The filter or new value, e.g. `{"status":"poisoned","error":"boom"}` or `{"status":"terminating"}`. */
  detail: z.record(z.string(), z.unknown()).nullable(),
  /** How many items (or workers, or tokens) it changed. */
  changed: z.number().int(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().regex(/^[0-9]{1,18}$/, { message: 'must be a next_cursor returned by this route' }).optional(),
});
export const AuditPage = z.object({ entries: z.array(AuditEntry), next_cursor: z.string().nullable() });

export const SignInBody = z.strictObject({ token: z.string().min(1).max(512) });

/** Who the caller is: the dashboard shows only the buttons this role may use. */
export const Session = z.object({
  role: Role,
  name: z.string(),
  /** No token is configured: everyone is an operator, and the hub listens on 127.0.0.1 only. */
  open: z.boolean(),
});
export type Session = z.infer<typeof Session>;

export type AuditAction = z.infer<typeof AuditAction>;
export type AuditQuery = z.infer<typeof AuditQuery>;
export type AuditPage = z.infer<typeof AuditPage>;
export type SignInBody = z.infer<typeof SignInBody>;
/** An issued token's id, as in `DELETE /tokens/{id}`. */
export const TokenId = z.string().regex(/^[0-9a-f]{16}$/, { message: 'must be a token id from GET /tokens' });
