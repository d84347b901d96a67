import { FailBody, ItemId } from '@/lib/contracts';
import { failure } from '@/lib/http/problem';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'worker',
    handle: async ({ hub, param, body, asWorker }) => {
      const id = param('id', ItemId);
      const b = await body(FailBody);
      const outcome = await hub.store.fail(id, { workerId: asWorker(b.worker_id), leaseId: b.lease_id, error: b.error, errorType: b.error_type });
      return outcome.ok ? json(outcome.value) : failure(outcome);
    },
  },
});
