import { EmptyBody, ItemId } from '@/lib/contracts';
import { failure, problem } from '@/lib/http/problem';
import { empty, json, route } from '@/lib/http/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'read',
    handle: async ({ hub, param, leasesShown }) => {
      const id = param('id', ItemId);
      const item = await hub.store.getItem(id);
      return item ? json(leasesShown(item)) : problem(404, 'item-not-found', `work item ${id} not found`);
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
