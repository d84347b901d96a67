import { Name } from '@/lib/contracts';
import { problem } from '@/lib/http/problem';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'read',
    handle: async ({ hub, param, leasesShown }) => {
      const id = param('id', Name);
      if (!(await hub.store.getWorker(id))) return problem(404, 'worker-not-found', `worker ${id} not found`);
      return json({ items: (await hub.store.workerItems(id)).map(leasesShown) });
    },
  },
});
