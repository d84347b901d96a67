import { ListItemsQuery, PoolName, PushBody } from '@/lib/contracts';
import { json, route } from '@/lib/server/route';

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
      const { items, data, ...options } = await body(PushBody);
      // 201 when the push made an item; 200 when every key named an item that was already there.
      if (items) {
        const pushed = await hub.store.push(pool, items);
        return json(pushed, pushed.created.includes(true) ? 201 : 200);
      }
      const { ids, created } = await hub.store.push(pool, [{ data: data ?? null, ...options }]);
      return json({ id: ids[0], created: created[0] }, created[0] ? 201 : 200);
    },
  },
});
