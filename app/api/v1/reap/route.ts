import { EmptyBody } from '@/lib/contracts';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'operator',
    handle: async ({ hub, body, actor }) => {
      await body(EmptyBody, { optional: true });
      return json(await hub.store.reap(hub.config.staleSeconds, actor));
    },
  },
});
