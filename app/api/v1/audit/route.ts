import { AuditQuery } from '@/lib/contracts';
import { json, route } from '@/lib/server/route';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'oversee',
    handle: async ({ hub, query }) => json(await hub.store.listAudit(query(AuditQuery))),
  },
});
