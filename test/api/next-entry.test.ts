/**
 * The route handlers as Next.js calls them (`next dev`): a web Request in, a web Response out.
 * The hub's own server calls their `serve` entry instead (test/api/*.test.ts over HTTP); this
 * keeps the other entry honest. A fresh SQLite file, the real store.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDbFile } from '../helpers/tmp';

const db = tempDbFile();
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
let items: Record<string, Handler>;
let claim: Record<string, Handler>;
let session: Record<string, Handler>;

beforeAll(async () => {
  process.env.DATABASE_URL = db.file;
  items = await import('@/app/api/v1/pools/[pool]/items/route');
  claim = await import('@/app/api/v1/pools/[pool]/claim/route');
  session = await import('@/app/api/v1/session/route');
});
afterAll(async () => {
  const { getHub } = await import('@/lib/server/hub');
  await getHub().store.close();
  db.cleanup();
});

const post = (path: string, body: unknown) =>
  new Request(`http://127.0.0.1:3000/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', host: '127.0.0.1:3000' },
    body: JSON.stringify(body),
  });
const params = (p: Record<string, string>) => ({ params: Promise.resolve(p) });

it('pushes and claims through web Requests and Responses', async () => {
  const pushed = await items.POST!(post('/pools/p/items', { items: [{ data: { n: 1 } }] }), params({ pool: 'p' }));
  expect(pushed.status).toBe(201);
  const claimed = await claim.POST!(post('/pools/p/claim', { worker_id: 'w' }), params({ pool: 'p' }));
  expect(claimed.status).toBe(200);
  expect(claimed.headers.get('content-type')).toBe('application/json');
  expect((await claimed.json()).items[0]).toMatchObject({ data: { n: 1 }, status: 'claimed', claimed_by: 'w' });
});

it('answers bad input, unserved methods and OPTIONS as problem+json or 204', async () => {
  const bad = await claim.POST!(post('/pools/p/claim', { worker: 'w' }), params({ pool: 'p' }));
  expect(bad.status).toBe(400);
  expect(bad.headers.get('content-type')).toBe('application/problem+json');
  const get = await claim.GET!(new Request('http://127.0.0.1:3000/api/v1/pools/p/claim'), params({ pool: 'p' }));
  expect(get.status).toBe(405);
  expect(get.headers.get('allow')).toBe('POST, OPTIONS');
  const options = await claim.OPTIONS!(new Request('http://127.0.0.1:3000/api/v1/pools/p/claim', { method: 'OPTIONS' }), params({ pool: 'p' }));
  expect(options.status).toBe(204);
  expect(options.headers.get('allow')).toBe('POST, OPTIONS');
});

it('reads a body past the limit no further and answers 413', async () => {
  const huge = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new Uint8Array(64 * 1024).fill(32)); // endless spaces: the reader must stop
    },
  });
  const req = new Request('http://127.0.0.1:3000/api/v1/pools/p/items', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: huge,
    duplex: 'half',
  } as RequestInit);
  const res = await items.POST!(req, params({ pool: 'p' }));
  expect(res.status).toBe(413);
});

it('sets the session cookie on an open hub sign-out', async () => {
  const res = await session.DELETE!(new Request('http://127.0.0.1:3000/api/v1/session', { method: 'DELETE', headers: { host: '127.0.0.1:3000' } }), params({}));
  expect(res.status).toBe(204);
  expect(res.headers.get('set-cookie')).toMatch(/^hub_session=;/);
});
