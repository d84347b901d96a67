import type { z } from 'zod';
import type { HubStore } from '@/db';
import { loggable, storeProblemOf } from '@/db/store/errors';
import { Name, type Actor } from '@/lib/contracts';
import type { HubConfig } from '@/lib/env';
import { authorize, isOpen, type Caller, type Need } from './auth';
import { hostAllowed, misdirected } from './hosts';
import { checkNameLength, readBody, readQuery, validate } from './parse';
import { problem, ProblemError, statusOf } from './problem';
import { empty, isBuffered, toResponse, type HubRequest, type Reply } from './reply';

export { json, empty } from './reply';

type Params = Record<string, string | string[] | undefined>;
/** What Next.js hands a route handler besides the request. */
export interface RouteContext {
  params: Promise<Params>;
}
/** A handler as the hub's own server calls it: no web Request or Response unless it streams. */
export type Serve = (req: HubRequest, params: Params) => Promise<Reply | Response>;
/** A route handler as Next.js calls it, carrying the server's entry as `serve`. */
type Handler = ((req: Request, ctx: RouteContext) => Promise<Response>) & { serve: Serve };

/**
 * What the kit needs of a hub: its config and its store. The server's hub (lib/server/hub.ts) is
 * one, with more in it that handlers may use; the kit is given it (`routeKit`), never imports it.
 */
export interface KitHub {
  config: HubConfig;
  store: HubStore;
}

/** One parsed request, with helpers that stop it with a problem response when input is bad. */
export interface Call<H extends KitHub = KitHub> {
  req: HubRequest;
  hub: H;
  /** Who calls; `null` only on a public route called without a valid token. */
  caller: Caller | null;
  /** The caller as the audit trail names it: pass it as `by` to the store's operator actions. */
  actor: Actor;
  /**
   * `workerId`, once the caller may act as that worker: a per-worker token only as its own id
   * (403 otherwise); any other worker or operator caller as any id.
   */
  asWorker(workerId: string): string;
  /** Item reads for this caller: a per-worker token sees no other worker's `lease_id`. */
  leasesShown<T extends { claimed_by: string | null; lease_id: string | null }>(item: T): T;
  /** A path parameter, validated (400 naming it when it does not fit). */
  param<S extends z.ZodType>(name: string, schema: S): z.output<S>;
  body<S extends z.ZodType>(schema: S, opts?: { optional?: boolean }): Promise<z.output<S>>;
  query<S extends z.ZodType>(schema: S): z.output<S>;
}

interface Endpoint<H extends KitHub> {
  need: Need;
  /** A Reply, or a web Response for a stream. */
  handle: (call: Call<H>) => Promise<Reply | Response>;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof METHODS)[number];

/** The audit trail's actor for a caller (a public route's caller without a token is nobody). */
const actorOf = (caller: Caller | null): Actor =>
  caller ? { name: caller.name, role: caller.role } : { name: 'nobody', role: 'viewer' };

/** Both entries of one handler: `serve` for the hub's server, the function itself for Next.js. */
function handler(serve: Serve): Handler {
  const forNext = async (req: Request, ctx: RouteContext) => toResponse(await serve(req, (await ctx.params) ?? {}));
  return Object.assign(forNext, { serve });
}

function wrap<H extends KitHub>(hubOf: () => H, endpoint: Endpoint<H>): Handler {
  return handler(async (req, params) => {
    try {
      const hub = hubOf();
      // The hub's own server has already checked the host; `next dev` has not.
      const host = req.headers.get('host');
      if (!isBuffered(req) && !hostAllowed(host, hub.config, isOpen(hub.config))) return misdirected(host ?? '');
      const caller = await authorize(req, endpoint.need, hub.config, hub.store);
      return await endpoint.handle({
        req,
        hub,
        caller,
        actor: actorOf(caller),
        asWorker: (workerId) => {
          if (caller?.workerId !== undefined && caller.workerId !== workerId) {
            throw new ProblemError(problem(403, 'forbidden', `this token acts as worker ${caller.workerId} only, not ${workerId}`));
          }
          return workerId;
        },
        leasesShown: (item) =>
          caller?.workerId === undefined || item.claimed_by === caller.workerId || item.lease_id === null ? item : { ...item, lease_id: null },
        param: (name, schema) => {
          const value = validate(schema, params[name], name);
          if ((schema as z.ZodType) === Name) checkNameLength(name, value, hub.config.maxNameLength);
          return value;
        },
        body: (schema, opts) =>
          readBody(
            req,
            schema,
            {
              maxBytes: hub.config.maxBodyBytes,
              maxDepth: hub.config.maxJsonDepth,
              maxBatch: hub.config.maxBatch,
              maxNameLength: hub.config.maxNameLength,
            },
            opts,
          ),
        query: (schema) => readQuery(req, schema),
      });
    } catch (err) {
      if (err instanceof ProblemError) return err.reply;
      // The database down (the hub recovers by itself: try again in a second) or input it cannot store.
      const stored = storeProblemOf(err);
      if (stored) return problem(statusOf(stored.code), stored.code, stored.detail, stored.code === 'database-unavailable' ? { 'retry-after': '1' } : {});
      console.error(`${req.method} ${new URL(req.url).pathname} failed`, loggable(err));
      return problem(500, 'internal-error', 'the hub hit an unexpected error; its log has the details');
    }
  });
}

/**
 * The kit's `route` for the hub that `hubOf` gives (asked once a request, so a hub made lazily is
 * made on first use). lib/server/route.ts binds it to the process's hub for the route files.
 */
export function routeKit<H extends KitHub>(hubOf: () => H) {
  /**
   * Declares a resource's endpoints. Every other method answers 405 problem+json with `Allow`, and
   * OPTIONS answers 204 with the same list, so each route file exports the full set:
   * `export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({...})`.
   */
  return function route(endpoints: Partial<Record<Method, Endpoint<H>>>): Record<Method | 'OPTIONS', Handler> {
    const allow = [...METHODS.filter((m) => endpoints[m]), ...(endpoints.GET ? ['HEAD'] : []), 'OPTIONS'].join(', ');
    const notAllowed = handler(async (req) =>
      problem(405, 'method-not-allowed', `${req.method} is not allowed here; allowed: ${allow}`, { allow }),
    );
    const handlers = Object.fromEntries(
      METHODS.map((m) => {
        const endpoint = endpoints[m];
        return [m, endpoint ? wrap(hubOf, endpoint) : notAllowed];
      }),
    ) as Record<Method, Handler>;
    return { ...handlers, OPTIONS: handler(async () => empty(204, { allow })) };
  };
}

/** Every method answers 404 problem+json: for paths under /api/v1 that name no route. */
export function unknownRoute(): Record<Method | 'OPTIONS', Handler> {
  const notFound = handler(async (req) => problem(404, 'route-not-found', `no route ${req.method} ${new URL(req.url).pathname}`));
  return Object.fromEntries([...METHODS, 'OPTIONS'].map((m) => [m, notFound])) as Record<Method | 'OPTIONS', Handler>;
}
