import { ItemCountQuery, PoolName } from '@/lib/contracts';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'read',
    handle: async ({ hub, param, query }) => json({ count: await hub.store.countItems(param('pool', PoolName), query(ItemCountQuery)) }),
  },
});
