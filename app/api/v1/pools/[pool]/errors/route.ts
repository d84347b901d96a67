import { ErrorGroupsQuery, PoolName } from '@/lib/contracts';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'read',
    handle: async ({ hub, param, query }) => {
      const pool = param('pool', PoolName);
      const { limit } = query(ErrorGroupsQuery);
      return json({ groups: await hub.store.errorGroups(pool, limit) });
    },
  },
});
