/**
 * The dashboard's data layer (lib/query) below its hooks: the fetch wrapper every query and action
 * calls, and which cached views a change refreshes, on a fresh QueryClient as the hooks use it.
 */
import { QueryClient, type QueryKey } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { PoolList } from '@/lib/contracts';
import { ApiError, apiCall } from '@/lib/query/fetch';
import { queryKeys } from '@/lib/query/keys';
import { keysFor } from '@/lib/query/live';
import { heartbeatAgeMs } from '@/lib/query/rules';

describe('apiCall (every query and action goes through it)', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  /** Answers every fetch with `body` (JSON unless a string) and `status`; records the calls. */
  function answer(status: number, body: unknown, type = 'application/json') {
    const fetch = vi.fn(
      async (_url: string, _init?: RequestInit) =>
        new Response(status === 204 ? null : typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': type } }),
    );
    vi.stubGlobal('fetch', fetch);
    return fetch;
  }

  const pools = { pools: [] };

  it('reads from /api/v1 with no body, no cache, and the query’s signal; returns the answer as the contract parses it', async () => {
    const fetch = answer(200, pools);
    const signal = new AbortController().signal;
    await expect(apiCall('/pools', PoolList, { signal })).resolves.toEqual(pools);
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/api/v1/pools');
    expect(init).toMatchObject({ method: 'GET', headers: {}, body: undefined, cache: 'no-store', signal });
  });

  it('sends a body as JSON with its content type', async () => {
    const fetch = answer(200, { released: 2 });
    await apiCall('/pools/p/release', z.object({ released: z.number() }), { method: 'POST', body: { worker_id: 'w' } });
    expect(fetch.mock.calls[0]![1]).toMatchObject({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"worker_id":"w"}' });
  });

  it('takes an empty answer (204) as null', async () => {
    answer(204, null);
    await expect(apiCall('/items/1', z.null(), { method: 'DELETE' })).resolves.toBeNull();
  });

  it('throws the problem’s status, code and detail for a refusal', async () => {
    answer(409, { type: 'about:blank', title: 'Conflict', status: 409, code: 'item-not-retryable', detail: 'item 7 is pending' }, 'application/problem+json');
    const err = await apiCall('/items/7/retry', z.unknown(), { method: 'POST' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'item-not-retryable', message: 'item 7 is pending' });
  });

  it('names the status of an error answer that is not a problem', async () => {
    answer(502, { oops: true });
    await expect(apiCall('/pools', PoolList)).rejects.toMatchObject({ status: 502, code: 'http-error', message: 'the hub answered 502' });
  });

  it('refuses an answer that is not JSON, or not the shape the contract promises', async () => {
    answer(200, '<html>a proxy’s page</html>', 'text/html');
    await expect(apiCall('/pools', PoolList)).rejects.toMatchObject({ code: 'bad-response' });
    answer(200, { pools: [{ name: 'p' }] });
    await expect(apiCall('/pools', PoolList)).rejects.toMatchObject({ status: 200, code: 'bad-response', message: 'unexpected answer from /pools' });
  });

  it('says the hub cannot be reached when the request fails, but lets an abort through as it is', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('fetch failed')));
    await expect(apiCall('/pools', PoolList)).rejects.toMatchObject({ status: 0, code: 'network' });
    const abort = new DOMException('The operation was aborted.', 'AbortError');
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(abort));
    await expect(apiCall('/pools', PoolList)).rejects.toBe(abort);
  });
});

describe('which cached views a change refreshes (useLiveEvents, and the actions’ onSettled)', () => {
  /** A cache holding a query under every key a page uses, for pools p and q and items 7 and 8. */
  function cache() {
    const client = new QueryClient();
    const views: Record<string, QueryKey> = {
      pools: queryKeys.pools(),
      workers: queryKeys.workers(),
      'throughput 60': queryKeys.throughput(60),
      session: queryKeys.session(),
      audit: queryKeys.auditPage(undefined, 50),
      tokens: queryKeys.tokens(),
      'item 7': queryKeys.item('7'),
      'item 8': queryKeys.item('8'),
    };
    for (const pool of ['p', 'q']) {
      views[`${pool} summary`] = queryKeys.poolSummary(pool);
      views[`${pool} items`] = queryKeys.poolItems(pool, { status: 'pending', q: 'acme' });
      views[`${pool} errors`] = queryKeys.poolErrors(pool);
      views[`${pool} holders`] = queryKeys.poolHolders(pool);
      views[`${pool} claimed`] = queryKeys.poolClaimed(pool);
    }
    for (const key of Object.values(views)) client.setQueryData(key, 'cached');
    /** The views whose queries are now invalidated (will refetch), by name. */
    const refreshed = () =>
      Object.entries(views)
        .filter(([, key]) => client.getQueryState(key)?.isInvalidated)
        .map(([name]) => name)
        .sort();
    return { client, refreshed };
  }

  /** As useLiveEvents applies a change: each of its keys invalidated. */
  async function apply(client: QueryClient, keys: QueryKey[]) {
    for (const queryKey of keys) await client.invalidateQueries({ queryKey });
  }

  const poolViews = (pool: string) => ['summary', 'items', 'errors', 'holders', 'claimed'].map((v) => `${pool} ${v}`);

  it('an item’s change: that item, its pool’s views, the pool list, workers and the chart; nothing of another pool or item', async () => {
    const { client, refreshed } = cache();
    await apply(client, keysFor({ type: 'item', id: '7', pool: 'p', status: 'completed' }));
    expect(refreshed()).toEqual(['item 7', ...poolViews('p'), 'pools', 'throughput 60', 'workers'].sort());
  });

  it('a worker’s change: the workers and every pool’s views (holders, claimed items), not the items', async () => {
    const { client, refreshed } = cache();
    await apply(client, keysFor({ type: 'worker', worker_id: 'w1', status: 'lost' }));
    expect(refreshed()).toEqual([...poolViews('p'), ...poolViews('q'), 'workers'].sort());
  });

  it('a pool’s change (a bulk action): that pool’s views, the pool list, the chart and every open item', async () => {
    const { client, refreshed } = cache();
    await apply(client, keysFor({ type: 'pool', name: 'q' }));
    expect(refreshed()).toEqual(['item 7', 'item 8', ...poolViews('q'), 'pools', 'throughput 60'].sort());
  });

  it('an action’s onSettled refreshes every view of the hub but the session', async () => {
    const { client, refreshed } = cache();
    await client.invalidateQueries({ queryKey: queryKeys.all });
    expect(refreshed()).toEqual(
      ['audit', 'item 7', 'item 8', ...poolViews('p'), ...poolViews('q'), 'pools', 'throughput 60', 'tokens', 'workers'].sort(),
    );
  });
});

describe('heartbeatAgeMs', () => {
  const now = Date.parse('2026-11-29T06:00:00.000Z');
  it('is how long ago the heartbeat was, and never negative for one stamped ahead of this browser’s clock', () => {
    expect(heartbeatAgeMs({ last_heartbeat: '2026-11-29T05:59:30.000Z' }, now)).toBe(30_000);
    expect(heartbeatAgeMs({ last_heartbeat: '2026-11-29T06:00:05.000Z' }, now)).toBe(0);
  });
});
