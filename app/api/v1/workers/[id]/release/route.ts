import { EmptyBody, Name } from '@/lib/contracts';
import { problem } from '@/lib/http/problem';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'operator',
    handle: async ({ hub, param, body, actor }) => {
      const id = param('id', Name);
      await body(EmptyBody, { optional: true });
      if (!(await hub.store.getWorker(id))) return problem(404, 'worker-not-found', `worker ${id} not found`);
      return json({ released: await hub.store.releaseWorker(id, undefined, actor) });
    },
  },
});
