import { Name, PatchWorkerBody, WORKER_SELF_HEADER } from '@/lib/contracts';
import type { Caller } from '@/lib/http/auth';
import { failure } from '@/lib/http/problem';
import type { HubRequest } from '@/lib/http/reply';
import { json, route } from '@/lib/server/route';

/**
 * Whether this status change is an operator action for the audit trail. A worker token changing
 * a status is a worker marking itself (e.g. terminated on exit). On an open hub everyone is the
 * anonymous operator, so a worker says so itself with WORKER_SELF_HEADER naming its own id; a
 * hub with tokens goes by the token alone.
 */
function operatorAction(caller: Caller | null, req: HubRequest, id: string): boolean {
  if (caller?.role !== 'operator') return false;
  return !(caller.via === 'open' && req.headers.get(WORKER_SELF_HEADER) === id);
}

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'read',
    handle: async ({ hub, param }) => {
      const id = param('id', Name);
      const worker = await hub.store.getWorker(id);
      return worker ? json(worker) : failure({ code: 'worker-not-found', detail: `worker ${id} not found` });
    },
  },
  PATCH: {
    need: 'worker',
    handle: async ({ req, hub, param, body, caller, actor, asWorker }) => {
      const id = asWorker(param('id', Name));
      const { status } = await body(PatchWorkerBody);
      const outcome = await hub.store.setWorkerStatus(id, status, operatorAction(caller, req, id) ? actor : undefined);
      return outcome.ok ? json(outcome.value) : failure(outcome);
    },
  },
});
