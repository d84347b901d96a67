import { json, route } from '@/lib/http/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'public',
    handle: async ({ hub }) => {
      await hub.store.ping();
      return json({ ok: true });
    },
  },
});
