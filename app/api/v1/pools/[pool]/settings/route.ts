import { PoolName, PoolSettingsPatch } from '@/lib/contracts';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'read',
    handle: async ({ hub, param }) => json(await hub.store.getPoolSettings(param('pool', PoolName))),
  },
  PATCH: {
    need: 'operator',
    handle: async ({ hub, param, body, actor }) => {
      const pool = param('pool', PoolName);
      return json(await hub.store.updatePoolSettings(pool, await body(PoolSettingsPatch), actor));
    },
  },
});
