import { json, route } from '@/lib/server/route';

/** Liveness: no token needed, 200 once the database answers (503 `database-unavailable` while it does not). Also at /healthz. */
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'public',
    handle: async ({ hub }) => {
      await hub.store.ping();
      return json({ ok: true });
    },
  },
});
