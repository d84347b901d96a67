import { PoolBulkBody, PoolName } from '@/lib/contracts';
import { bulkFilter } from '@/lib/http/parse';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'operator',
    handle: async ({ hub, param, body, actor }) => {
      const pool = param('pool', PoolName);
      const { status, ...filter } = await body(PoolBulkBody, { optional: true });
      return json({ discarded: await hub.store.discardPool(pool, status, bulkFilter(filter), actor) });
    },
  },
});
