import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: { need: 'read', handle: async ({ hub }) => json({ pools: await hub.store.listPools() }) },
});
