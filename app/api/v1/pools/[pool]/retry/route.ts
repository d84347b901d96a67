import { PoolName, RetryPoolBody } from '@/lib/contracts';
import { bulkFilter } from '@/lib/http/parse';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'operator',
    handle: async ({ hub, param, body, actor }) => {
      const pool = param('pool', PoolName);
      const { status, ...filter } = await body(RetryPoolBody, { optional: true });
      return json({ retried: await hub.store.retryPool(pool, status, bulkFilter(filter), actor) });
    },
  },
});
