import { EmptyBody, TokenId } from '@/lib/contracts';
import { failure } from '@/lib/http/problem';
import { empty, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  DELETE: {
    need: 'operator',
    handle: async ({ hub, param, body, actor }) => {
      const id = param('id', TokenId);
      await body(EmptyBody, { optional: true });
      const outcome = await hub.store.revokeToken(id, actor);
      if (!outcome.ok) return failure(outcome);
      hub.events.emit('revoked', id); // this instance's streams opened with it close now; others' at their next keep-alive
      return empty();
    },
  },
});
