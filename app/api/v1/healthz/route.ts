import { json, route } from '@/lib/http/route';

export const { GET, POST, PUT, PATCH, DELETE } = route({
  GET: {
    need: 'read',
    handle: async ({ hub }) => {
      await hub.store.ping();
      return json({ ok: true });
    },
  },
});
