import { EmptyBody, ItemId } from '@/lib/contracts';
import { failure } from '@/lib/http/problem';
import { empty, json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'read',
    handle: async ({ hub, param, leasesShown }) => {
      const id = param('id', ItemId);
      const item = await hub.store.getItem(id);
      return item ? json(leasesShown(item)) : failure({ code: 'item-not-found', detail: `work item ${id} not found` });
    },
  },
  DELETE: {
    need: 'operator',
    handle: async ({ hub, param, body, actor }) => {
      const id = param('id', ItemId);
      await body(EmptyBody, { optional: true });
      const outcome = await hub.store.deleteItem(id, actor);
      return outcome.ok ? empty() : failure(outcome);
    },
  },
});
