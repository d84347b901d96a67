import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import next from 'next';
import { problem } from '@/lib/http/problem';
import headerLists from '@/lib/http/response-headers.json';
import { getHub } from './hub';
import { loadRouteTable, matchRoute, type RouteEntry, type RouteModule } from './route-table';

/**
 * The hub's HTTP server. Pages, assets and everything else go through Next.js; requests for a
 * route handler (`app/**\/route.ts`: the API and /healthz) go straight to that handler.
 *
 * Why: Next.js spends ~0.9 ms of CPU on every request before and after a route handler runs
 * (routing, rewrites, tracing, async storage, web-stream piping), measured on an empty route —
 * several times what a claim or a completion costs the hub itself. The handlers are the same
 * modules `next dev` serves, called the same way (a web Request, params as a promise); this
 * server adds what Next.js added around them: the security headers of next.config.js, HEAD from
 * GET, and 405 for methods no handler takes. Paths that are not canonical (trailing or doubled
 * slashes) are left to Next.js, which redirects them.
 */
export async function serveHub(opts: { dir: string; host: string; port: number }): Promise<Server> {
  const app = next({ dev: false, dir: opts.dir, hostname: opts.host, port: opts.port });
  await app.prepare();
  const handleByNext = app.getRequestHandler();
  const table = await loadRouteTable(path.join(opts.dir, 'app'));
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    const handled = isCanonical(pathname) ? dispatch(table, pathname, req, res) : false;
    if (!handled) void handleByNext(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return server;
}

/** `/a/b`, not `/a/b/` or `/a//b`: Next.js answers those with a redirect to the canonical path. */
const isCanonical = (pathname: string) => pathname === '/' || (!pathname.endsWith('/') && !pathname.includes('//'));

const BODYLESS = new Set(['GET', 'HEAD']);

/** Starts answering `req` when a route handler serves its path; false leaves it to Next.js. */
function dispatch(table: RouteEntry[], pathname: string, req: IncomingMessage, res: ServerResponse): boolean {
  let match;
  try {
    match = matchRoute(table, pathname);
  } catch {
    // Malformed percent-encoding in a path segment (Next.js answered these with a bare 500).
    void send(req, res, problem(400, 'invalid-request', 'path: malformed percent-encoding'), pathname);
    return true;
  }
  if (!match) return false;
  void answer(match.route.module, match.params, req, res, pathname).catch((err: unknown) => {
    console.error(`${req.method} ${pathname} failed`, err);
    if (!res.headersSent) void send(req, res, problem(500, 'internal-error', 'the hub hit an unexpected error; its log has the details'), pathname);
    else res.destroy();
  });
  return true;
}

async function answer(mod: RouteModule, params: Record<string, string | string[]>, req: IncomingMessage, res: ServerResponse, pathname: string) {
  const method = req.method ?? 'GET';
  const handler = mod[method === 'HEAD' ? 'GET' : method];
  if (!handler) {
    // A method no route exports (TRACE, CONNECT, …): 405 with the route's own Allow list.
    const options = await mod.OPTIONS?.(new Request('http://localhost/', { method: 'OPTIONS' }), { params: Promise.resolve(params) });
    const allow = options?.headers.get('allow');
    req.resume();
    return send(req, res, problem(405, 'method-not-allowed', `${method} is not allowed here${allow ? `; allowed: ${allow}` : ''}`, allow ? { allow } : {}), pathname);
  }
  const aborted = new AbortController();
  res.once('close', () => aborted.abort());
  const request = await toRequest(req, aborted.signal);
  if (!request) return send(req, res, problem(400, 'invalid-request', 'the request line or Host header is not a valid URL'), pathname);
  await send(req, res, await handler(request, { params: Promise.resolve(params) }), pathname);
}

/**
 * The web Request a route handler takes. The body is read here, at most HUB_MAX_BODY_BYTES + 1
 * bytes of it: the handler's own reader then sees it is too large and answers 413, and the rest
 * is discarded unread.
 */
async function toRequest(req: IncomingMessage, signal: AbortSignal): Promise<Request | null> {
  const method = req.method ?? 'GET';
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    try {
      headers.append(raw[i]!, raw[i + 1]!);
    } catch {
      return null; // a header value fetch's Headers refuses
    }
  }
  const body = BODYLESS.has(method) ? undefined : await readUpTo(req, getHub().config.maxBodyBytes + 1);
  try {
    return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, { method, headers, body, signal });
  } catch {
    return null;
  }
}

function readUpTo(req: IncomingMessage, limit: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData).off('end', done).off('error', reject);
      resolve(size === 0 ? undefined : new Uint8Array(Buffer.concat(chunks).subarray(0, limit)));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) {
        done();
        req.resume(); // drain the rest without keeping it
      }
    };
    req.on('data', onData).on('end', done).on('error', reject);
  });
}

const streams = (response: Response) => (response.headers.get('content-type') ?? '').startsWith('text/event-stream');

/** Writes a web Response to the node response, with the headers next.config.js gives every answer. */
async function send(req: IncomingMessage, res: ServerResponse, response: Response, pathname: string) {
  for (const { key, value } of headerLists.everyResponse) res.setHeader(key, value);
  if (pathname.startsWith('/api/')) res.setHeader('Content-Security-Policy', headerLists.apiContentSecurityPolicy);
  res.statusCode = response.status;
  response.headers.forEach((value, key) => {
    if (key !== 'set-cookie') res.setHeader(key, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader('set-cookie', cookies);
  if (!response.body || req.method === 'HEAD') {
    await response.body?.cancel();
    res.end();
    return;
  }
  if (!streams(response)) {
    const bytes = Buffer.from(await response.arrayBuffer());
    res.setHeader('content-length', bytes.length);
    res.end(bytes);
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  res.once('close', () => void reader.cancel().catch(() => {}));
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    res.write(value);
  }
  res.end();
}
