import { CompleteManyBody } from '@/lib/contracts';
import { json, route } from '@/lib/http/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'worker',
    handle: async ({ hub, body, asWorker }) => {
      const input = await body(CompleteManyBody);
      asWorker(input.worker_id);
      return json(await hub.store.completeMany(input));
    },
  },
});
