import { CompleteManyBody } from '@/lib/contracts';
import { statusOf } from '@/lib/http/problem';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'worker',
    handle: async ({ hub, body, asWorker }) => {
      const input = await body(CompleteManyBody);
      const worker = asWorker(input.worker_id);
      const { completed, rejected } = await hub.store.completeMany(input);
      const answer = { completed, rejected: rejected.map((r) => ({ id: r.id, status: statusOf(r.code), code: r.code })) };
      if (!input.next) return json(answer);
      // The next claim, once the batch is committed: as POST /pools/{pool}/claim without waiting.
      const { pool, limit, claim_id } = input.next;
      const claim = await hub.store.claim(pool, worker, limit, claim_id);
      const next = claim.ok
        ? { items: claim.value }
        : { items: [], refused: { status: statusOf(claim.code), code: claim.code, detail: claim.detail } };
      return json({ ...answer, next });
    },
  },
});
