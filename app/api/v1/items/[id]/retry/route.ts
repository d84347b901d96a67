import { EmptyBody, ItemId } from '@/lib/contracts';
import { failure } from '@/lib/http/problem';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'operator',
    handle: async ({ hub, param, body, actor }) => {
      const id = param('id', ItemId);
      await body(EmptyBody, { optional: true });
      const outcome = await hub.store.retryItem(id, actor);
      return outcome.ok ? json(outcome.value) : failure(outcome);
    },
  },
});
