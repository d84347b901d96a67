import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HubClient, HubUnreachable, RequestAborted, ServerError } from '@/lib/sdk';

/**
 * The SDK's own HTTP exchange on Node (node:http over kept-alive connections), against a server
 * of the test's making that answers, stalls or breaks off as each case needs.
 */
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen = { connections: 0, requests: 0 };
  server = createServer((req, res) => {
    seen.requests++;
    handler(req, res);
  });
  server.on('connection', () => seen.connections++);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const ok = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');

describe('the SDK over node:http', () => {
  it('sends every request of a client over one kept-alive connection, with its body and headers', async () => {
    const bodies: string[] = [];
    const { url, seen } = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c)).on('end', () => {
        bodies.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? '-'} ${req.headers.authorization ?? '-'} ${body}`);
        if (req.url === '/api/v1/healthz') ok(res);
        else res.writeHead(201, { 'content-type': 'application/json' }).end('{"ids":["1"],"created":[true]}');
      });
    });
    const c = new HubClient({ url, token: 't0k' });
    for (let i = 0; i < 5; i++) expect(await c.healthz()).toEqual({ ok: true });
    expect(await c.pushMany('p', [{ data: { é: 'ü' } }])).toEqual(['1']);
    expect(seen).toEqual({ connections: 1, requests: 6 });
    expect(bodies[0]).toBe('GET /api/v1/healthz - Bearer t0k ');
    expect(bodies[5]).toBe('POST /api/v1/pools/p/items application/json Bearer t0k {"items":[{"data":{"é":"ü"}}]}');
  });

  it('gives up on an answer that does not come within the timeout: HubUnreachable', async () => {
    const { url } = await serve(() => {}); // never answers
    const c = new HubClient({ url, timeoutMs: 50, retry: { retries: 0 } });
    const err = await c.healthz().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubUnreachable);
    expect((err as HubUnreachable).detail).toMatch(/no answer within 50 ms/);
  });

  it("stops at the caller's abort: RequestAborted, not retried", async () => {
    const { url, seen } = await serve(() => {});
    const c = new HubClient({ url, retry: { retries: 3, minDelayMs: 1, maxDelayMs: 1 } });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 30);
    await expect(c.claim('p', 'w', 1, { signal: abort.signal })).rejects.toBeInstanceOf(RequestAborted);
    expect(seen.requests).toBe(1);
  });

  it('treats an answer cut off mid-body as no answer, and retries it', async () => {
    const { url, seen } = await serve((_req, res) => {
      if (seen.requests === 1) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' }).write('{"ok":');
        setTimeout(() => res.destroy(), 10);
      } else ok(res);
    });
    const c = new HubClient({ url, retry: { retries: 1, minDelayMs: 1, maxDelayMs: 1 } });
    expect(await c.healthz()).toEqual({ ok: true });
    expect(seen.requests).toBe(2);
    const once = new HubClient({ url: url.replace(/\d+$/, '1'), retry: { retries: 0 } });
    await expect(once.healthz()).rejects.toBeInstanceOf(HubUnreachable); // nothing listens on port 1
  });

  it('waits for an answer longer than an idle connection is kept (a waiting claim)', { timeout: 15_000 }, async () => {
    // Idle kept-alive connections are closed after 4 s; one waiting for its answer is not.
    const { url } = await serve((_req, res) => void setTimeout(() => ok(res), 4_500));
    expect(await new HubClient({ url, retry: { retries: 0 } }).healthz()).toEqual({ ok: true });
  });

  it('reads Retry-After and the status of an error answer', async () => {
    const { url, seen } = await serve((_req, res) => {
      if (seen.requests === 1) res.writeHead(503, { 'retry-after': '0', 'content-type': 'text/plain' }).end('busy');
      else res.writeHead(502, { 'content-type': 'text/plain' }).end('upstream down');
    });
    const c = new HubClient({ url, retry: { retries: 1, minDelayMs: 1, maxDelayMs: 1 } });
    const err = await c.healthz().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({ status: 502, detail: 'upstream down' });
    expect(seen.requests).toBe(2);
  });
});
