import { expect, test, type APIRequestContext, type Locator } from '@playwright/test';
import { consoleErrors, hubApi, overflowX, PHONE, settled } from './hub';

// The open hub: everyone is the anonymous operator, so every role-dependent button is shown.

/**
 * What these tests made, removed after each: its items deleted, its workers terminated (hidden on
 * the Workers page), so the other specs' screenshots show their own data, not these tests'.
 */
const made = { items: [] as string[], workers: [] as string[] };
function trackedApi(request: APIRequestContext) {
  const api = hubApi(request);
  return {
    ...api,
    register: async (id: string, extra: Record<string, unknown> = {}) => {
      made.workers.push(id);
      return api.register(id, extra);
    },
    push: async (pool: string, data: unknown[], maxRetries?: number) => {
      const ids = await api.push(pool, data, maxRetries);
      made.items.push(...ids);
      return ids;
    },
  };
}
test.afterEach(async ({ request }) => {
  for (const id of made.items.splice(0)) await request.delete(`/api/v1/items/${id}`);
  for (const id of made.workers.splice(0)) await request.patch(`/api/v1/workers/${id}`, { data: { status: 'terminated' } });
});

/** One long unbroken string, as in a base64 blob or a minified payload. */
const LONG = 'x'.repeat(5_000);

/**
 * Whether an element ends within the screen's width, as laid out: not scrolled into view first,
 * which would scroll a wide table sideways and hide the very problem.
 */
async function withinWidth(locator: Locator) {
  await expect(locator).toBeVisible();
  const box = (await locator.boundingBox())!;
  expect(box.x + box.width, `${locator} ends at ${box.x + box.width} px`).toBeLessThanOrEqual(PHONE.width);
}

test('every page loads directly without a console error or hydration mismatch', async ({ page, request }) => {
  const api = trackedApi(request);
  await api.register('w-hydrate', { pool_id: 'e2e-hydrate' });
  const [poisoned, held] = await api.push('e2e-hydrate', [{ n: 1 }, { n: 2 }], 1);
  await api.failItem(poisoned!, 'w-hydrate', 'RuntimeError: no luck');
  await api.post(`/items/${held}/claim`, { worker_id: 'w-hydrate' });

  const errors = consoleErrors(page);
  const pages = [
    '/',
    '/workers',
    '/workers?show=active',
    '/workers?terminated=shown',
    '/pools/e2e-hydrate',
    // The role-dependent "Retry all poisoned" button broke hydration here (React error #418).
    '/pools/e2e-hydrate?status=poisoned',
    `/items/${poisoned}`,
    '/audit',
    '/audit?action=pool.retry',
    '/tokens',
    '/api-docs',
  ];
  for (const path of pages) {
    await page.goto(path);
    await settled(page);
  }
  await page.goto('/pools/e2e-hydrate?status=poisoned');
  await expect(page.getByRole('button', { name: 'Retry all poisoned' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('the favicon is served', async ({ page, request }) => {
  const ico = await request.get('/favicon.ico');
  expect(ico.status()).toBe(200);
  expect(ico.headers()['content-type']).toMatch(/image\//);
  const svg = await request.get('/icon.svg');
  expect(svg.status()).toBe(200);
  await page.goto('/');
  await expect(page.locator('link[rel="icon"]').first()).toHaveAttribute('href', /favicon\.ico|icon\.svg/);
});

test('the sign-in page of an open hub says there is nothing to sign in to', async ({ page }) => {
  await page.goto('/signin?next=%2Fworkers');
  await expect(page.getByRole('heading', { name: 'No sign-in needed' })).toBeVisible();
  await expect(page.getByText('needs a token')).toHaveCount(0);
  await expect(page.getByLabel('Token')).toHaveCount(0);
  await page.getByRole('link', { name: 'Open the dashboard' }).click();
  await expect(page).toHaveURL(/\/workers$/);
  await expect(page.getByTestId('session-role')).toHaveText('operator');
});

test('status tabs are named with a space between status and count', async ({ page, request }) => {
  const api = trackedApi(request);
  await api.push('e2e-tabs', [{ n: 1 }, { n: 2 }]);
  await page.goto('/pools/e2e-tabs');
  const tabs = page.getByRole('navigation', { name: 'Item status' });
  await expect(tabs.getByRole('link', { name: 'pending 2', exact: true })).toBeVisible();
  await expect(tabs.getByRole('link', { name: 'poisoned 0', exact: true })).toBeVisible();
  await page.goto('/workers');
  await expect(page.getByRole('navigation', { name: 'Worker status' }).getByRole('link', { name: /^stale \d+$/ })).toBeVisible();
});

test('at phone width nothing runs off-screen: overview, pool, item, API, workers; long values wrap', async ({ page, request }) => {
  const api = trackedApi(request);
  await api.register('w-phone-with-a-rather-long-name-0123456789', { pool_id: 'e2e-phone', host: 'worker-host-with-a-long-name.internal' });
  const worker = 'w-phone-with-a-rather-long-name-0123456789';
  const ids = await api.push('e2e-phone', [{ blob: LONG }, { n: 2 }, { n: 3 }], 1);
  await api.failItem(ids[0]!, worker, `UnicodeDecodeError: ${'y'.repeat(2_000)}`);
  await api.post(`/items/${ids[1]}/claim`, { worker_id: worker });

  await page.setViewportSize(PHONE);
  const checks: [string, () => Promise<void>][] = [
    ['/', async () => {
      const row = page.getByTestId('pool-row-e2e-phone');
      await withinWidth(row.getByRole('link', { name: 'e2e-phone', exact: true }));
      await withinWidth(row.getByRole('link', { name: '1', exact: true })); // the poisoned count
      await expect(row.getByTestId('pool-phone-summary')).toContainText('1 claimed');
    }],
    ['/pools/e2e-phone?status=poisoned', async () => {
      await withinWidth(page.getByRole('button', { name: 'Retry all poisoned' }));
      await withinWidth(page.getByRole('button', { name: 'Retry group' }));
      await withinWidth(page.getByRole('button', { name: 'Discard group' }));
      await withinWidth(page.getByRole('button', { name: `Release items held by ${worker}` }));
      await withinWidth(page.getByRole('link', { name: 'poisoned 1', exact: true }));
    }],
    ['/pools/e2e-phone', async () => {
      await withinWidth(page.getByRole('button', { name: 'Search' }));
      await withinWidth(page.getByTestId(`item-row-${ids[2]}`).getByText('pending'));
    }],
    [`/items/${ids[0]}`, async () => {
      await withinWidth(page.getByRole('button', { name: 'Discard', exact: true }));
      await expect(page.getByLabel('Data')).toContainText('xxxx');
    }],
    ['/api-docs', async () => {
      await withinWidth(page.locator('#op-claim summary'));
    }],
    ['/workers', async () => {
      await withinWidth(page.getByRole('button', { name: `Drain ${worker}` }));
      await withinWidth(page.getByTestId(`worker-row-${worker}`).getByTestId('claimed-count'));
    }],
  ];
  for (const [path, check] of checks) {
    await page.goto(path);
    await settled(page);
    await check();
    expect(await overflowX(page), `${path} reaches past a 390 px screen`).toBeLessThanOrEqual(0);
  }
});

test('workers: running first by heartbeat, terminated hidden until asked, uptime, every item held', async ({ page, request }) => {
  const api = trackedApi(request);
  await api.register('w-sort-old', { pool_id: 'e2e-sort' });
  await api.register('w-sort-done', { pool_id: 'e2e-sort' });
  await api.patch('/workers/w-sort-done', { status: 'terminated' });
  await api.register('w-sort-busy', { pool_id: 'e2e-sort' });
  const a = await api.push('e2e-sort', [1, 2, 3].map((n) => ({ n })));
  const b = await api.push('e2e-sort-b', [1, 2].map((n) => ({ n })));
  await api.claim('e2e-sort', 'w-sort-busy', 3);
  await api.claim('e2e-sort-b', 'w-sort-busy', 2);
  // w-sort-busy heartbeats last: freshest first.
  await api.post('/workers/w-sort-busy/heartbeat', {});

  await page.goto('/workers');
  await settled(page);
  const busy = page.getByTestId('worker-row-w-sort-busy');
  await expect(busy.getByTestId('claimed-count')).toHaveText('5');
  const heldList = busy.getByRole('list', { name: 'Items w-sort-busy holds' });
  for (const id of [...a, ...b]) await expect(heldList.getByRole('link', { name: `#${id}`, exact: true })).toBeVisible();
  await expect(busy.getByTestId('uptime')).toHaveText(/^\d+ s$/);

  const order = async () =>
    (await page.getByTestId(/^worker-row-w-sort-/).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')))).map((t) =>
      t!.replace('worker-row-', ''),
    );
  expect(await order()).toEqual(['w-sort-busy', 'w-sort-old']);

  // The box follows the address (click, not check(): it turns checked once the address has changed).
  const toggle = page.getByRole('checkbox', { name: /Show terminated workers/ });
  await toggle.click();
  await expect(page).toHaveURL(/\?terminated=shown$/);
  await expect(toggle).toBeChecked();
  await expect(page.getByTestId('worker-row-w-sort-done')).toBeVisible();
  expect(await order()).toEqual(['w-sort-busy', 'w-sort-old', 'w-sort-done']);
  await toggle.click();
  await expect(page).toHaveURL(/\/workers$/);
  await expect(toggle).not.toBeChecked();
  await expect(page.getByTestId('worker-row-w-sort-done')).toHaveCount(0);
  // Its own tab still lists it.
  await page.getByRole('navigation', { name: 'Worker status' }).getByRole('link', { name: /^terminated/ }).click();
  await expect(page.getByTestId('worker-row-w-sort-done')).toBeVisible();
  await expect(page.getByTestId('worker-row-w-sort-done').getByTestId('uptime')).toHaveText(/^ran \d+ s$/);
});
