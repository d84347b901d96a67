import { EmptyBody, SignInBody, type Session } from '@/lib/contracts';
import { holderOf, isOpen, sameOrigin, SESSION_COOKIE, throttled } from '@/lib/http/auth';
import { problem } from '@/lib/http/problem';
import type { HubRequest } from '@/lib/http/reply';
import { empty, json, route } from '@/lib/server/route';

/** Secure only when the request came over https (directly, or as a proxy in front says). */
function overHttps(req: HubRequest): boolean {
  const forwarded = req.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return forwarded ? forwarded === 'https' : new URL(req.url).protocol === 'https:';
}

function cookie(req: HubRequest, value: string, maxAge?: number): string {
  const parts = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'HttpOnly', 'SameSite=Strict', 'Path=/'];
  if (maxAge !== undefined) parts.push(`Max-Age=${maxAge}`);
  if (overHttps(req)) parts.push('Secure');
  return parts.join('; ');
}

const OPEN: Session = { role: 'operator', name: 'anonymous', open: true };
const unauthorized = (detail: string) => problem(401, 'unauthorized', detail, { 'www-authenticate': 'Bearer realm="flatmachines-hub"' });

// The dashboard's sign-in. All three are public: they are how a caller gets or loses a session.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  GET: {
    need: 'public',
    handle: async ({ caller }) => {
      if (!caller) return unauthorized('no valid session cookie or bearer token');
      return json({ role: caller.role, name: caller.name, open: caller.via === 'open' } satisfies Session);
    },
  },
  POST: {
    need: 'public',
    handle: async ({ req, hub, body }) => {
      const { token } = await body(SignInBody);
      // A sign-in form posted from another site would plant its token's session here.
      if (req.headers.get('origin') !== null && !sameOrigin(req, { refererToo: false })) {
        return problem(403, 'cross-site', 'sign in from a page of this hub');
      }
      if (isOpen(hub.config)) return json(OPEN);
      const holder = await throttled(req, hub.config, () => holderOf(token, hub.config, hub.store));
      if (!holder) return unauthorized('that token is not valid (unknown or revoked)');
      return json({ role: holder.role, name: holder.name, open: false } satisfies Session, 200, { 'set-cookie': cookie(req, token) });
    },
  },
  DELETE: {
    need: 'public',
    handle: async ({ req, body }) => {
      await body(EmptyBody, { optional: true });
      return empty(204, { 'set-cookie': cookie(req, '', 0), 'cache-control': 'no-store' });
    },
  },
});
