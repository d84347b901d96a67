import { timingSafeEqual } from 'node:crypto';
import type { HubConfig } from '@/lib/env';
import { problem, ProblemError } from './problem';

/**
 * What a request needs: `public` (no token), `read` (any role: viewer, worker, operator),
 * `worker` (worker or operator), `operator`.
 */
export type Need = 'public' | 'read' | 'worker' | 'operator';
type Role = 'viewer' | 'worker' | 'operator';
type Tokens = Pick<HubConfig, 'operatorToken' | 'workerToken' | 'viewerToken'>;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function roleOf(req: Request, cfg: Tokens): Role | null {
  const header = req.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return null;
  const token = match[1]!;
  if (cfg.operatorToken && same(token, cfg.operatorToken)) return 'operator';
  if (cfg.workerToken && same(token, cfg.workerToken)) return 'worker';
  if (cfg.viewerToken && same(token, cfg.viewerToken)) return 'viewer';
  return null;
}

/** Throws 401/403 unless the request may do what it asks. With no token configured, all may. */
export function authorize(req: Request, need: Need, cfg: Tokens): void {
  if (need === 'public' || (!cfg.operatorToken && !cfg.workerToken && !cfg.viewerToken)) return;
  const role = roleOf(req, cfg);
  if (!role) {
    throw new ProblemError(
      problem(401, 'unauthorized', 'a valid bearer token is required', { 'www-authenticate': 'Bearer realm="flatmachines-hub"' }),
    );
  }
  if (need === 'operator' && role !== 'operator') {
    throw new ProblemError(problem(403, 'forbidden', 'this action needs the operator role'));
  }
  if (need === 'worker' && role === 'viewer') {
    throw new ProblemError(problem(403, 'forbidden', 'this action needs the worker or operator role'));
  }
}
