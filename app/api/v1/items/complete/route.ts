import { CompleteManyBody } from '@/lib/contracts';
import { statusOf } from '@/lib/http/problem';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'worker',
    handle: async ({ hub, body, asWorker }) => {
      const input = await body(CompleteManyBody);
      asWorker(input.worker_id);
      const { completed, rejected } = await hub.store.completeMany(input);
      return json({ completed, rejected: rejected.map((r) => ({ id: r.id, status: statusOf(r.code), code: r.code })) });
    },
  },
});
