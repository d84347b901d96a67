import { route } from '@/lib/server/route';
import { eventStream } from '@/lib/server/sse';

// Every change as Server-Sent Events (`item`, `worker`, `pool`), for the dashboard's live view.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'read',
    handle: async ({ hub, req, caller }) => {
      const issued = caller?.issued;
      return eventStream(hub.events, req.signal, {
        maxQueuedBytes: hub.config.sseMaxQueuedBytes,
        // An issued token can be revoked while its stream is open: the stream goes with it.
        ...(issued ? { stillAllowed: async () => (await hub.store.findToken(issued.hash)) !== null } : {}),
      });
    },
  },
});
