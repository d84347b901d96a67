import { ListWorkersQuery, RegisterWorkerBody } from '@/lib/contracts';
import { json, route } from '@/lib/http/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'read',
    handle: async ({ hub, query }) => json({ workers: await hub.store.listWorkers(query(ListWorkersQuery)) }),
  },
  POST: {
    need: 'worker',
    handle: async ({ hub, body }) =>
      json(await hub.store.registerWorker(await body(RegisterWorkerBody, { optional: true })), 201),
  },
});
