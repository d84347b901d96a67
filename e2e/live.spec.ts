import { expect, test } from '@playwright/test';
import { hubApi, screenshots, TAKES_SCREENSHOTS, waitLive } from './hub';

test('a push made through the API appears on open pages within 2 s, without reload', async ({ page, request }) => {
  const api = hubApi(request);
  await api.register('w-live', { pool_id: 'e2e-live', host: 'worker-7.internal', capabilities: ['pdf'] });
  await api.push('e2e-live-before', [{ warm: true }]);
  await page.goto('/');
  await waitLive(page);
  // The page has loaded (the 2 s below measure the change, not the first load).
  await expect(page.getByTestId('pool-row-e2e-live-before')).toBeVisible();
  await expect(page.getByTestId('pool-row-e2e-live')).toHaveCount(0);

  // Default polling is every 5 s: only the event stream can make this within 2 s.
  await api.push('e2e-live', [{ doc: 1 }, { doc: 2 }, { doc: 3 }, { doc: 4 }]);
  const row = page.getByTestId('pool-row-e2e-live');
  // Columns: pool, scheduled, pending, claimed, completed, …
  await expect(row).toBeVisible({ timeout: 2_000 });
  await expect(row.getByRole('cell').nth(2)).toHaveText('4');

  const claimed = await api.claim('e2e-live', 'w-live', 3);
  await expect(row.getByRole('cell').nth(3)).toHaveText('3', { timeout: 2_000 });
  await api.post(`/items/${claimed[0]!.id}/complete`, { worker_id: 'w-live', result: { ok: true } });
  await api.post(`/items/${claimed[1]!.id}/fail`, { worker_id: 'w-live', error: 'flaky upstream' });
  await expect(row.getByRole('cell').nth(4)).toHaveText('1', { timeout: 2_000 });
  await expect(row.getByRole('img')).toHaveAttribute('aria-label', /1 completed, 1 failed/);

  // On a pool page too.
  await page.goto('/pools/e2e-live?status=pending');
  await waitLive(page);
  await expect(page.getByRole('table', { name: 'Items' }).getByRole('row')).toHaveCount(1 + 2); // header + 2 pending (one was failed back)
  const [id] = await api.push('e2e-live', [{ doc: 'late' }]);
  await expect(page.getByTestId(`item-row-${id}`)).toBeVisible({ timeout: 2_000 });
});

test('overview: no-live-worker warning and screenshots', TAKES_SCREENSHOTS, async ({ page, request }) => {
  const api = hubApi(request);
  await api.push('e2e-orphan', [{ job: 'nobody takes me' }]);
  // A healthy pool beside it: a fresh worker registered for it, some work done.
  await api.register('w-orders', { pool_id: 'e2e-orders' });
  await api.push('e2e-orders', Array.from({ length: 10 }, (_, i) => ({ order: 1000 + i })));
  const taken = await api.claim('e2e-orders', 'w-orders', 7);
  for (const it of taken.slice(0, 5)) await api.post(`/items/${it.id}/complete`, { worker_id: 'w-orders' });
  await api.post(`/items/${taken[5]!.id}/fail`, { worker_id: 'w-orders', error: 'card declined' });
  // Heartbeat like a real worker, so it stays live past the 3 s stale threshold.
  const beat = setInterval(() => void request.post('/api/v1/workers/w-orders/heartbeat').catch(() => {}), 500);
  try {
    await page.goto('/');
    await waitLive(page);
    await expect(page.getByTestId('pool-row-e2e-orphan')).toContainText('no live worker');
    await expect(page.getByTestId('pool-row-e2e-orders')).not.toContainText('no live worker');
    await expect(page.getByTestId('pool-row-e2e-orders').getByRole('img')).toHaveAttribute('aria-label', /5 completed, 1 failed, 0 poisoned in the last 60 minutes/);
    await screenshots(page, 'overview');
    // The last day, by half hour; the choice lives in the address.
    await page.getByRole('link', { name: 'Last day' }).click();
    await expect(page).toHaveURL(/\?window=day$/);
    await expect(page.getByTestId('pool-row-e2e-orders').getByRole('img')).toHaveAttribute('aria-label', /5 completed, 1 failed, 0 poisoned in the last 48 half hours/);
    await expect(page.getByRole('columnheader', { name: 'Last day' })).toBeVisible();
  } finally {
    clearInterval(beat);
  }
});

test('pausing stops live refresh until resumed', async ({ page, request }) => {
  const api = hubApi(request);
  await api.push('e2e-paused-before', [{ warm: true }]);
  await page.goto('/');
  await waitLive(page);
  await expect(page.getByTestId('pool-row-e2e-paused-before')).toBeVisible();
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('live-state')).toHaveText('Paused');
  await api.push('e2e-paused', [{ x: 1 }]);
  await page.waitForTimeout(1_500);
  await expect(page.getByTestId('pool-row-e2e-paused')).toHaveCount(0);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('pool-row-e2e-paused')).toBeVisible({ timeout: 2_000 });
});
