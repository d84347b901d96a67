import { PoolName } from '@/lib/contracts';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'read',
    handle: async ({ hub, param }) => json({ holders: await hub.store.poolHolders(param('pool', PoolName)) }),
  },
});
