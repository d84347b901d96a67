import { createHash, timingSafeEqual } from 'node:crypto';
import { problem } from '@/lib/http/problem';
import { route } from '@/lib/server/route';
import { metrics } from '@/lib/server/metrics';

const digest = (s: string) => createHash('sha256').update(s).digest();
/** Constant time, also in the length (digests of equal size are compared). */
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

// Prometheus scrapes this: operator and viewer tokens (and sessions) may read it, and so may
// HUB_METRICS_TOKEN, which opens nothing else. Open on an open hub, like every route.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'public',
    handle: async ({ req, hub, caller }) => {
      if (!caller) {
        const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.get('authorization')?.trim() ?? '')?.[1];
        const token = hub.config.metricsToken;
        if (!bearer || !token || !same(bearer, token)) {
          return problem(401, 'unauthorized', 'an operator, viewer or metrics token is required', {
            'www-authenticate': 'Bearer realm="flatmachines-hub"',
          });
        }
      } else if (caller.role === 'worker') {
        return problem(403, 'forbidden', 'metrics need the operator or viewer role, or the metrics token');
      }
      const m = metrics();
      return {
        status: 200,
        headers: { 'content-type': m.registry.contentType, 'cache-control': 'no-store' },
        body: await m.scrape(hub.store),
      };
    },
  },
});
