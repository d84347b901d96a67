import { ClaimBody, PoolName } from '@/lib/contracts';
import { failure, problem } from '@/lib/http/problem';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'worker',
    handle: async ({ hub, req, param, body, asWorker }) => {
      const pool = param('pool', PoolName);
      const { worker_id, limit, claim_id, wait_seconds } = await body(ClaimBody);
      const worker = asWorker(worker_id);
      const attempt = () => hub.store.claim(pool, worker, limit, claim_id);
      // With nothing to claim, a waiting claim holds the request until work appears (long-poll).
      const outcome =
        wait_seconds > 0
          ? await hub.waiters.claim(pool, limit, wait_seconds * 1000, req.signal, attempt, () => hub.store.nextDue(pool))
          : await attempt();
      if (outcome === 'full') {
        return problem(429, 'too-many-waiting', `${hub.config.maxWaitingClaims} claims are waiting already; try again shortly`, { 'retry-after': '1' });
      }
      return outcome.ok ? json({ items: outcome.value }) : failure(outcome);
    },
  },
});
