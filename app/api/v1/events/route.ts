import { route } from '@/lib/http/route';
import { eventStream } from '@/lib/server/sse';

// Every change as Server-Sent Events (`item`, `worker`, `pool`), for the dashboard's live view.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: { need: 'read', handle: async ({ hub, req }) => eventStream(hub.events, req.signal) },
});
