import { Name, PatchWorkerBody } from '@/lib/contracts';
import { failure, problem } from '@/lib/http/problem';
import { json, route } from '@/lib/http/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'read',
    handle: async ({ hub, param }) => {
      const id = param('id', Name);
      const worker = await hub.store.getWorker(id);
      return worker ? json(worker) : problem(404, 'worker-not-found', `worker ${id} not found`);
    },
  },
  PATCH: {
    need: 'worker',
    handle: async ({ hub, param, body, caller, actor, asWorker }) => {
      const id = asWorker(param('id', Name));
      const { status } = await body(PatchWorkerBody);
      // A worker token changing a status is a worker marking itself (e.g. terminated on exit):
      // only an operator's change is an operator action.
      const outcome = await hub.store.setWorkerStatus(id, status, caller?.role === 'operator' ? actor : undefined);
      return outcome.ok ? json(outcome.value) : failure(outcome);
    },
  },
});
