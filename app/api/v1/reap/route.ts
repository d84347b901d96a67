import { EmptyBody } from '@/lib/contracts';
import { json, route } from '@/lib/http/route';

export const { GET, POST, PUT, PATCH, DELETE } = route({
  POST: {
    need: 'operator',
    handle: async ({ hub, body, audit }) => {
      await body(EmptyBody, { optional: true });
      const result = await hub.store.reap(hub.config.staleSeconds);
      // Items released or poisoned; the workers lost are in the detail. A reap that found nothing is not recorded.
      const changed = result.released + result.poisoned;
      if (result.lost.length > 0 || changed > 0) await audit('reap', null, { ...result }, changed);
      return json(result);
    },
  },
});
