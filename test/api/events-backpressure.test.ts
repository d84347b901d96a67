/**
 * Live event streams against clients that never read: the hub must not buffer for them without
 * bound (20 such clients once grew a hub from 220 MB to 2.5 GB in 45 s). Each stream may hold
 * HUB_SSE_MAX_QUEUED_BYTES waiting; past it the hub closes it. And a stream opened with an issued
 * token closes when the token is revoked. Needs `next build` first (npm test does it).
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IssuedToken } from '@/lib/contracts';
import { client, type Client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';

let hub: HubProcess;
let operator: Client;
const MAX_QUEUED = 64 * 1024;

beforeAll(async () => {
  // HUB_STALE_SECONDS: the claiming worker never heartbeats, and on a busy machine the load runs long.
  hub = await startHub({
    HUB_OPERATOR_TOKEN: 'op-secret',
    HUB_VIEWER_TOKEN: 'viewer-secret',
    HUB_SSE_MAX_QUEUED_BYTES: String(MAX_QUEUED),
    HUB_STALE_SECONDS: '3600',
  });
  operator = client(hub.api, { token: 'op-secret' });
});
afterAll(async () => hub?.stop());

const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${hub.child.pid}/status`, 'utf8'))![1]) / 1024;

/** An event stream whose client reads its headers and then nothing at all. */
function silentReader(): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(hub.port, '127.0.0.1', () => {
      socket.write(`GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:${hub.port}\r\nAuthorization: Bearer viewer-secret\r\n\r\n`);
    });
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => {}); // a reset when the hub drops the stream
    socket.once('data', (first) => {
      expect(first.toString()).toMatch(/^HTTP\/1\.1 200/);
      socket.pause();
      resolve({ socket, closed });
    });
    socket.once('error', reject);
  });
}

it('closes streams whose clients do not read, keeps its memory bounded and answers /healthz meanwhile', async () => {
  const silent = await Promise.all(Array.from({ length: 20 }, silentReader));
  // One client that does read stays connected throughout.
  const reading = await fetch(`${hub.api}/events`, { headers: { authorization: 'Bearer viewer-secret' } });
  const reader = reading.body!.getReader();
  let readBytes = 0;
  let readerEnded = false;
  const drain = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return void (readerEnded = true);
      readBytes += value.byteLength;
    }
  })().catch(() => (readerEnded = true));

  const before = rssMb();
  let peak = before;
  // Load: 25,000 items pushed, claimed and completed 100 at a time, about 50,000 item events
  // (~4.5 MB) for every stream.
  for (let round = 0; round < 25; round++) {
    await operator.post('/pools/sse/items', { items: Array.from({ length: 1000 }, (_, n) => ({ data: n })) });
    for (let k = 0; k < 10; k++) {
      const claimed = await operator.post('/pools/sse/claim', { worker_id: 'sse-w', limit: 100 });
      expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
      const items = claimed.body.items as { id: string; lease_id: string }[];
      const done = await operator.post('/items/complete', { worker_id: 'sse-w', items: items.map((i) => ({ id: i.id, lease_id: i.lease_id })) });
      expect(done.body.completed).toHaveLength(100);
    }
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    peak = Math.max(peak, rssMb());
  }
  // Unbounded, the 20 streams alone would hold well over 100 MB here (40,000 items: 157 → 641 MB).
  expect(peak - before, `RSS ${before.toFixed(0)} → peak ${peak.toFixed(0)} MB`).toBeLessThan(60);

  // The hub has given up on every silent stream: once they read, they reach its end.
  for (const s of silent) s.socket.resume();
  const allClosed = Promise.all(silent.map((s) => s.closed));
  await expect(Promise.race([allClosed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 10_000))])).resolves.toBe(
    'closed',
  );
  // The reading client kept up and is still connected.
  expect(readerEnded).toBe(false);
  expect(readBytes).toBeGreaterThan(1_000_000);
  await reader.cancel();
  await drain;
}, 180_000);

it('closes a stream when the issued token that opened it is revoked', async () => {
  const issued = IssuedToken.parse((await operator.post('/tokens', { name: 'dashboard-viewer', role: 'viewer' })).body);
  const res = await fetch(`${hub.api}/events`, { headers: { authorization: `Bearer ${issued.token}` } });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  await reader.read(); // connected
  const ended = (async () => {
    for (;;) {
      const { done } = await reader.read();
      if (done) return 'ended';
    }
  })().catch(() => 'ended');
  expect((await operator.del(`/tokens/${issued.id}`)).status).toBe(204);
  await expect(Promise.race([ended, new Promise((r) => setTimeout(() => r('still open'), 5_000))])).resolves.toBe('ended');
  expect((await fetch(`${hub.api}/events`, { headers: { authorization: `Bearer ${issued.token}` } })).status).toBe(401);
});
