import { ItemId } from '@/lib/contracts';
import { failure } from '@/lib/http/problem';
import { json, route } from '@/lib/http/route';

export const { GET, POST, PUT, PATCH, DELETE } = route({
  POST: {
    need: 'operator',
    handle: async ({ hub, param }) => {
      const outcome = await hub.store.retryItem(param('id', ItemId));
      return outcome.ok ? json(outcome.value) : failure(outcome);
    },
  },
});
