/**
 * The hub's own server (lib/server/serve.ts) in front of the route handlers, over real HTTP:
 * what Next.js used to do around them (HEAD, OPTIONS, 405, redirects of non-canonical paths,
 * streaming) and the two requests Next.js answered with a bare 500.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rawRequest } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { checkedFetch } from '../helpers/openapi';

let hub: HubProcess;
beforeAll(async () => {
  hub = await startHub();
});
afterAll(async () => hub?.stop());

const raw = (method: string, path: string, body?: string, headers: Record<string, string> = {}) => rawRequest(hub.port, method, path, body, headers);

it('answers a path with malformed percent-encoding with 400 problem+json (Next.js gave a bare 500)', async () => {
  const res = await raw('GET', '/api/v1/pools/%E0%A4%A');
  expect(res.status).toBe(400);
  expect(res.headers['content-type']).toBe('application/problem+json');
  expect(JSON.parse(res.text)).toMatchObject({ code: 'invalid-request', detail: 'path: malformed percent-encoding' });
});

it('answers a Host header that makes no URL with 400 problem+json, not a 500', async () => {
  const res = await raw('GET', '/api/v1/pools/p/items?status=pending', undefined, { host: 'bad host' });
  expect(res.status).toBe(400);
  expect(JSON.parse(res.text)).toMatchObject({ code: 'invalid-request' });
});

it('answers a method no route takes with 405 and the route’s own Allow (Next.js gave a bare 500)', async () => {
  const res = await raw('TRACE', '/api/v1/pools');
  expect(res.status).toBe(405);
  expect(res.headers.allow).toBe('GET, HEAD, OPTIONS');
  expect(JSON.parse(res.text)).toMatchObject({ code: 'method-not-allowed' });
});

it('answers OPTIONS with the methods the route serves, and 404 where no route is', async () => {
  const pools = await raw('OPTIONS', '/api/v1/pools/p/items');
  expect(pools.status).toBe(204);
  expect(pools.headers.allow).toBe('GET, POST, HEAD, OPTIONS');
  const none = await raw('OPTIONS', '/api/v1/no-such-route');
  expect(none.status).toBe(404);
});

it('answers HEAD like GET without a body, with the security headers', async () => {
  const res = await raw('HEAD', '/api/v1/pools');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('application/json');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.text).toBe('');
});

it('leaves non-canonical paths to Next.js, which redirects them', async () => {
  const res = await raw('GET', '/api/v1/pools/');
  expect(res.status).toBe(308);
  expect(res.headers.location).toBe('/api/v1/pools');
});

it('reads a body past the size limit no further than the limit, answers 413 and stays up', async () => {
  const big = JSON.stringify({ items: [{ data: 'x'.repeat(2 * 1024 * 1024) }] });
  const res = await raw('POST', '/api/v1/pools/p/items', big);
  expect(res.status).toBe(413);
  expect((await raw('GET', '/api/v1/pools/p')).status).toBe(200);
  expect(JSON.parse((await raw('GET', '/api/v1/pools/p')).text)).toMatchObject({ pending: 0 });
});

it('serves pages and assets through Next.js', async () => {
  const page = await fetch(`${hub.url}/`);
  expect(page.status).toBe(200);
  const html = await page.text();
  const css = /href="(\/_next\/static\/[^"]+\.css)"/.exec(html)![1]!;
  expect((await fetch(`${hub.url}${css}`)).status).toBe(200);
});

it('streams events as they happen', async () => {
  const ac = new AbortController();
  const res = await checkedFetch(`${hub.api}/events`, { signal: ac.signal });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = res.body!.getReader();
  await checkedFetch(`${hub.api}/pools/streamed/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: [{ data: 1 }] }) });
  let text = '';
  while (!text.includes('streamed')) text += new TextDecoder().decode((await reader.read()).value);
  expect(text).toMatch(/event: pool\ndata: .*"streamed"/);
  ac.abort();
});
