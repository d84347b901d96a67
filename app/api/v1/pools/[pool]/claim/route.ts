import { ClaimBody, PoolName } from '@/lib/contracts';
import { failure } from '@/lib/http/problem';
import { json, route } from '@/lib/http/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'worker',
    handle: async ({ hub, param, body, asWorker }) => {
      const pool = param('pool', PoolName);
      const { worker_id, limit, claim_id } = await body(ClaimBody);
      const outcome = await hub.store.claim(pool, asWorker(worker_id), limit, claim_id);
      return outcome.ok ? json({ items: outcome.value }) : failure(outcome);
    },
  },
});
