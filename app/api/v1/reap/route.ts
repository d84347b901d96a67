import { json, route } from '@/lib/http/route';

export const { GET, POST, PUT, PATCH, DELETE } = route({
  POST: { need: 'operator', handle: async ({ hub }) => json(await hub.store.reap(hub.config.staleSeconds)) },
});
