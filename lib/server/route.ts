import { routeKit } from '@/lib/http/route';
import { getHub } from './hub';

/**
 * The route kit (lib/http/route.ts) given this process's hub: every `app/**\/route.ts` declares
 * its endpoints with this `route`, and its handlers get the hub as `call.hub`.
 */
export const route = routeKit(getHub);
export { json, empty } from '@/lib/http/route';
