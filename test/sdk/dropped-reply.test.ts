/**
 * A claim whose answer never arrives: the hub commits it, the connection drops before the worker
 * reads the reply, and the SDK retries. The retry must hand back the items the first try took,
 * not claim more and leave those claimed by a worker that never knew it had them.
 * Needs `next build` first (npm test does it).
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HubClient } from '@/lib/sdk';
import { client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';

let hub: HubProcess;
let proxy: Server;
let proxyUrl: string;
/** How many claim answers the proxy still throws away after the hub has given them. */
let dropClaims = 0;

beforeAll(async () => {
  hub = await startHub();
  // Forwards every request to the hub; for a claim it may read the hub's answer and then cut
  // the worker's connection instead of passing it on.
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const upstream = await fetch(`${hub.url}${req.url}`, {
      method: req.method,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const text = await upstream.text();
    if (req.url?.endsWith('/claim') && dropClaims > 0) {
      dropClaims--;
      req.socket.destroy();
      return;
    }
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(text);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
});
afterAll(async () => {
  proxy?.close();
  await hub?.stop();
});

it('a retried claim whose first answer was dropped returns the same items, and nothing else stays claimed', async () => {
  const direct = client(hub.api);
  await direct.post('/pools/dropped/items', { items: Array.from({ length: 10 }, (_, n) => ({ data: n })) });
  const sdk = new HubClient({ url: proxyUrl, retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5 } });

  dropClaims = 1;
  const items = await sdk.claim('dropped', 'w-dropped', 3);
  expect(dropClaims).toBe(0); // the first answer really was thrown away
  expect(items.map((i) => i.data)).toEqual([0, 1, 2]);

  // The hub agrees: the worker holds exactly what it was told, under the leases it was given.
  const held = (await direct.get('/pools/dropped/items?status=claimed')).body.items;
  expect(held.map((i: { id: string; lease_id: string }) => [i.id, i.lease_id])).toEqual(items.map((i) => [i.id, i.lease_id]));
  expect((await direct.get('/workers/w-dropped')).body.claimed_count).toBe(3);
  for (const it of items) await sdk.complete(it.id, { worker_id: 'w-dropped', lease_id: it.lease_id!, result: 'ok' });
  expect((await direct.get('/pools/dropped')).body).toMatchObject({ pending: 7, claimed: 0, completed: 3 });

  // Twice in a row, and a one-item claim: the same.
  dropClaims = 2;
  const [one] = await sdk.claim('dropped', 'w-dropped', 1);
  expect(one!.data).toBe(3);
  expect((await direct.get('/pools/dropped')).body).toMatchObject({ pending: 6, claimed: 1 });
});
