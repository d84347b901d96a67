import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import next from 'next';
import { loggable } from '@/db';
import { isOpen } from '@/lib/http/auth';
import { hostAllowed, misdirected } from '@/lib/http/hosts';
import { PEER_HEADER } from '@/lib/http/page-headers';
import { problem } from '@/lib/http/problem';
import type { BufferedRequest, Reply } from '@/lib/http/reply';
import headerLists from '@/lib/http/response-headers.json';
import { getHub } from './hub';
import { timeRequest } from './metrics';
import { loadRouteTable, matchRoute, type RouteEntry, type RouteModule } from './route-table';

/**
 * The hub's HTTP server. Pages, assets and everything else go through Next.js; requests for a
 * route handler (`app/**\/route.ts`: the API and /healthz) go straight to that handler.
 *
 * Why: Next.js spends ~0.9 ms of CPU on every request before and after a route handler runs
 * (routing, rewrites, tracing, async storage, web-stream piping), measured on an empty route —
 * several times what a claim or a completion costs the hub itself. The handlers are the same
 * modules `next dev` serves; the route kit's carry a `serve` entry that takes node's request as
 * it is and answers a plain Reply (lib/http/reply.ts), and any other route.ts gets a web Request.
 * This server adds what Next.js added around them: the security headers of next.config.js, HEAD
 * from GET, and 405 for methods no handler takes. Paths that are not canonical (trailing or
 * doubled slashes) are left to Next.js, which redirects them.
 */
export async function serveHub(opts: { dir: string; host: string; port: number }): Promise<Server> {
  const app = next({ dev: false, dir: opts.dir, hostname: opts.host, port: opts.port });
  await app.prepare();
  const handleByNext = app.getRequestHandler();
  const table = loadRouteTable(path.join(opts.dir, 'app'));
  const server = createServer((req, res) => {
    const hub = getHub();
    if (!hostAllowed(req.headers.host, hub.config, isOpen(hub.config))) {
      req.resume();
      void send(req, res, misdirected(req.headers.host ?? ''), '/api/');
      return;
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    const handled = isCanonical(pathname) ? dispatch(table, pathname, req, res) : false;
    if (!handled) {
      // Pages check the session cookie themselves (lib/server/page-session.ts) and count wrong
      // ones by address, which Next.js does not tell them: the socket's, never the client's word.
      if (req.socket.remoteAddress) req.headers[PEER_HEADER] = req.socket.remoteAddress;
      else delete req.headers[PEER_HEADER];
      void handleByNext(req, res);
    }
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
    req.resume();
    void send(req, res, problem(400, 'invalid-request', 'path: malformed percent-encoding'), pathname);
    return true;
  }
  if (!match) return false;
  timeRequest(match.route.pattern, req, res);
  void answer(match.route.module, match.params, req, res, pathname).catch((err: unknown) => {
    if (err instanceof ClientGone) return void res.destroy();
    console.error(`${req.method} ${pathname} failed`, loggable(err));
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
    req.resume();
    const options = mod.OPTIONS && (await mod.OPTIONS(new Request('http://localhost/', { method: 'OPTIONS' }), { params: Promise.resolve(params) }));
    const allow = options ? options.headers.get('allow') : null;
    const detail = `${method} is not allowed here${allow ? `; allowed: ${allow}` : ''}`;
    return send(req, res, problem(405, 'method-not-allowed', detail, allow ? { allow } : {}), pathname);
  }
  const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  if (!URL.canParse(url)) {
    req.resume();
    return send(req, res, problem(400, 'invalid-request', 'the request line or Host header is not a valid URL'), pathname);
  }
  if (handler.serve) return send(req, res, await handler.serve(await toHubRequest(req, res, url), params), pathname);
  // A route.ts written without the route kit: a web Request it is.
  const request = await toWebRequest(req, res, url);
  if (!request) return send(req, res, problem(400, 'invalid-request', 'the request line or Host header is not a valid URL'), pathname);
  await send(req, res, await handler(request, { params: Promise.resolve(params) }), pathname);
}

/**
 * Aborts when the client goes away before its answer is written: the event stream and a waiting
 * claim (long-poll) listen to it. An abort signal costs about as much as a claim's own parsing,
 * so it is made only for the requests that ask for it (`req.signal` is read lazily).
 */
function signalFor(res: ServerResponse): AbortSignal {
  const aborted = new AbortController();
  if (res.destroyed) aborted.abort();
  else {
    res.once('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
  }
  return aborted.signal;
}

/** Node's request headers as the route kit reads them (names are lower case, repeats joined). */
class NodeHeaders {
  constructor(private readonly raw: IncomingMessage['headers']) {}
  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }
}

/**
 * The request for the route kit. The body is read here, at most HUB_MAX_BODY_BYTES + 1 bytes of
 * it: the kit's reader then sees it is too large and answers 413, and the rest is discarded unread.
 */
async function toHubRequest(req: IncomingMessage, res: ServerResponse, url: string): Promise<BufferedRequest> {
  const method = req.method ?? 'GET';
  const rawBody = BODYLESS.has(method) ? (req.resume(), null) : await readUpTo(req, getHub().config.maxBodyBytes + 1);
  let signal: AbortSignal | undefined;
  return {
    method,
    url,
    headers: new NodeHeaders(req.headers),
    get signal() {
      return (signal ??= signalFor(res));
    },
    rawBody,
    remoteAddress: req.socket.remoteAddress,
  };
}

async function toWebRequest(req: IncomingMessage, res: ServerResponse, url: string): Promise<Request | null> {
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
  const body = BODYLESS.has(method) ? (req.resume(), undefined) : ((await readUpTo(req, getHub().config.maxBodyBytes + 1)) ?? undefined);
  try {
    return new Request(url, { method, headers, body, signal: signalFor(res) });
  } catch {
    return null;
  }
}

/** The client went away before it sent its whole body: nothing to answer, nothing to log. */
class ClientGone extends Error {}

function readUpTo(req: IncomingMessage, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const gone = () => reject(new ClientGone('client closed the connection mid-body'));
    const done = () => {
      req.off('data', onData).off('end', done).off('error', gone).off('close', gone);
      resolve(size === 0 ? null : new Uint8Array(Buffer.concat(chunks).subarray(0, limit)));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) {
        done();
        req.resume(); // drain the rest without keeping it
      }
    };
    // 'close' comes after 'end' on a complete body, and done() has removed this listener by then.
    req.on('data', onData).on('end', done).on('error', gone).on('close', gone);
  });
}

/** The headers every answer gets (next.config.js gives Next.js's own the same). */
function securityHeaders(pathname: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, value } of headerLists.everyResponse) headers[key] = value;
  if (pathname.startsWith('/api/')) headers['Content-Security-Policy'] = headerLists.apiContentSecurityPolicy;
  return headers;
}
const API_HEADERS = securityHeaders('/api/');
const OTHER_HEADERS = securityHeaders('/');

/** Writes a Reply (or a web Response: a stream, or a handler written without the kit). */
async function send(req: IncomingMessage, res: ServerResponse, answer: Reply | Response, pathname: string) {
  const common = pathname.startsWith('/api/') ? API_HEADERS : OTHER_HEADERS;
  if (!(answer instanceof Response)) {
    const body = req.method === 'HEAD' ? null : answer.body;
    res.writeHead(answer.status, { ...common, ...answer.headers, ...(body === null ? {} : { 'content-length': Buffer.byteLength(body) }) });
    res.end(body ?? undefined);
    return;
  }
  for (const [key, value] of Object.entries(common)) res.setHeader(key, value);
  res.statusCode = answer.status;
  answer.headers.forEach((value, key) => {
    if (key !== 'set-cookie') res.setHeader(key, value);
  });
  const cookies = answer.headers.getSetCookie();
  if (cookies.length) res.setHeader('set-cookie', cookies);
  if (!answer.body || req.method === 'HEAD') {
    await answer.body?.cancel();
    res.end();
    return;
  }
  if (!(answer.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const bytes = Buffer.from(await answer.arrayBuffer());
    res.setHeader('content-length', bytes.length);
    res.end(bytes);
    return;
  }
  res.flushHeaders();
  const reader = answer.body.getReader();
  res.once('close', () => void reader.cancel().catch(() => {}));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      // Backpressure: nothing more is taken from the stream until the socket has room, so what
      // a slow client has not read waits in the stream, which bounds it (lib/server/sse.ts).
      if (!res.write(value)) await drainedOrClosed(res);
      if (res.destroyed) return;
    }
    res.end();
  } catch {
    res.destroy(); // the stream closed itself (a client that does not read, a revoked token)
  }
}

/** Resolves when `res` can take more, or has closed. */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}
