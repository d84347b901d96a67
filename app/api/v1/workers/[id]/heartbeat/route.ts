import { HeartbeatBody, Name } from '@/lib/contracts';
import { failure } from '@/lib/http/problem';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'worker',
    handle: async ({ hub, param, body, asWorker }) => {
      const id = asWorker(param('id', Name));
      const outcome = await hub.store.heartbeat(id, await body(HeartbeatBody, { optional: true }));
      return outcome.ok ? json(outcome.value) : failure(outcome);
    },
  },
});
