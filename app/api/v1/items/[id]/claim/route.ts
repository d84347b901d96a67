import { ClaimOneBody, ItemId } from '@/lib/contracts';
import { failure } from '@/lib/http/problem';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'worker',
    handle: async ({ hub, param, body, asWorker }) => {
      const id = param('id', ItemId);
      const { worker_id } = await body(ClaimOneBody);
      const outcome = await hub.store.claimItem(id, asWorker(worker_id));
      return outcome.ok ? json(outcome.value) : failure(outcome);
    },
  },
});
