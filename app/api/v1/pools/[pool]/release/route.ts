import { PoolName, ReleasePoolBody } from '@/lib/contracts';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'operator',
    handle: async ({ hub, param, body, actor }) => {
      const pool = param('pool', PoolName);
      const { worker_id } = await body(ReleasePoolBody);
      // A worker the hub does not know holds nothing: as the seed's release_by_worker, 0 released.
      const outcome = await hub.store.releaseWorker(worker_id, pool, actor);
      return json({ released: outcome.ok ? outcome.value : 0 });
    },
  },
});
