import { PoolName, ReleasePoolBody } from '@/lib/contracts';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'operator',
    handle: async ({ hub, param, body, actor }) => {
      const pool = param('pool', PoolName);
      const { worker_id } = await body(ReleasePoolBody);
      const outcome = await hub.store.releaseWorker(worker_id, pool, actor);
      // A worker the hub does not know holds nothing in this pool: none released, as documented (no 404).
      return json({ released: outcome.ok ? outcome.value : 0 });
    },
  },
});
