import { ThroughputQuery } from '@/lib/contracts';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'read',
    handle: async ({ hub, query }) => json(await hub.store.throughput(query(ThroughputQuery).minutes)),
  },
});
