import { EmptyBody, Name } from '@/lib/contracts';
import { failure } from '@/lib/http/problem';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  POST: {
    need: 'operator',
    handle: async ({ hub, param, body, actor }) => {
      const id = param('id', Name);
      await body(EmptyBody, { optional: true });
      // One store call: an unknown worker is its outcome, found in the release's own transaction.
      const outcome = await hub.store.releaseWorker(id, undefined, actor);
      return outcome.ok ? json({ released: outcome.value }) : failure(outcome);
    },
  },
});
