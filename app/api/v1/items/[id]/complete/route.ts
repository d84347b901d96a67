import { CompleteBody, ItemId } from '@/lib/contracts';
import { failure } from '@/lib/http/problem';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'worker',
    handle: async ({ hub, param, body, asWorker }) => {
      const id = param('id', ItemId);
      const b = await body(CompleteBody);
      const outcome = await hub.store.complete(id, { workerId: asWorker(b.worker_id), leaseId: b.lease_id, result: b.result });
      return outcome.ok ? json(outcome.value) : failure(outcome);
    },
  },
});
