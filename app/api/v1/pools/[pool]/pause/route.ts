import { EmptyBody, PoolName } from '@/lib/contracts';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'operator',
    handle: async ({ hub, param, body, actor }) => {
      const pool = param('pool', PoolName);
      await body(EmptyBody, { optional: true });
      return json(await hub.store.updatePoolSettings(pool, { paused: true }, actor));
    },
  },
});
