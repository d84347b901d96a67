import { json, route } from '@/lib/http/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: { need: 'read', handle: async ({ hub }) => json({ pools: await hub.store.listPools() }) },
});
