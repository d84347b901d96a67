import { ListItemsQuery, PoolName, PushBody } from '@/lib/contracts';
import { json, route } from '@/lib/http/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'read',
    handle: async ({ hub, param, query, leasesShown }) => {
      const page = await hub.store.listItems(param('pool', PoolName), query(ListItemsQuery));
      return json({ ...page, items: page.items.map(leasesShown) });
    },
  },
  POST: {
    need: 'worker',
    handle: async ({ hub, param, body }) => {
      const pool = param('pool', PoolName);
      const input = await body(PushBody);
      if (input.items) return json({ ids: await hub.store.push(pool, input.items) }, 201);
      const [id] = await hub.store.push(pool, [{ data: input.data ?? null, max_retries: input.max_retries }]);
      return json({ id }, 201);
    },
  },
});
