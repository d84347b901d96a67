import { ListWorkersQuery, RegisterWorkerBody } from '@/lib/contracts';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'read',
    handle: async ({ hub, query }) => json({ workers: await hub.store.listWorkers(query(ListWorkersQuery)) }),
  },
  POST: {
    need: 'worker',
    handle: async ({ hub, body, caller, asWorker }) => {
      const input = await body(RegisterWorkerBody, { optional: true });
      // A per-worker token registers its own worker when it names none.
      const workerId = input.worker_id ?? caller?.workerId;
      return json(await hub.store.registerWorker({ ...input, worker_id: workerId === undefined ? null : asWorker(workerId) }), 201);
    },
  },
});
