import { PoolName, ReleasePoolBody } from '@/lib/contracts';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'operator',
    handle: async ({ hub, param, body, actor }) => {
      const pool = param('pool', PoolName);
      const { worker_id } = await body(ReleasePoolBody);
      return json({ released: await hub.store.releaseWorker(worker_id, pool, actor) });
    },
  },
});
