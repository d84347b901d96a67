import { expect, test } from '@playwright/test';
import { hubApi, screenshots, TAKES_SCREENSHOTS, waitLive } from './hub';

test('a worker goes stale, its items are released from the Workers page, then the reaper marks it lost', TAKES_SCREENSHOTS, async ({ page, request }) => {
  const api = hubApi(request);
  await api.register('w-stale', { pool_id: 'e2e-stale', capabilities: ['gpu', 'ocr'] });
  await api.register('w-gone', { pool_id: 'e2e-stale' });
  await api.push('e2e-stale', [{ n: 1 }, { n: 2 }, { n: 3 }]);
  const held = await api.claim('e2e-stale', 'w-stale', 2);
  const [gone] = await api.claim('e2e-stale', 'w-gone', 1);

  await page.goto('/workers');
  await waitLive(page);
  const row = page.getByTestId('worker-row-w-stale');
  await expect(row.getByTestId('claimed-count')).toHaveText('2');
  await expect(row.getByText('active')).toBeVisible();
  await expect(row.getByRole('link', { name: `#${held[1]!.id}` })).toBeVisible();

  // The heartbeat age ticks, and past the 3 s threshold the row is marked stale before any reaping.
  await expect(row.getByText('stale', { exact: true })).toBeVisible({ timeout: 8_000 });
  await expect(page.getByTestId('worker-row-w-gone').getByText('stale', { exact: true })).toBeVisible();
  await screenshots(page, 'workers');

  // The filter is in the address: only stale workers, then all again.
  await page.getByRole('navigation', { name: 'Worker status' }).getByRole('link', { name: /^stale/ }).click();
  await expect(page).toHaveURL(/\?show=stale$/);
  await expect(row).toBeVisible();
  await page.getByRole('navigation', { name: 'Worker status' }).getByRole('link', { name: /^all/ }).click();
  await expect(page).toHaveURL(/\/workers$/);

  await row.getByRole('button', { name: 'Release items of w-stale' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('This will change 2 items.');
  await dialog.getByRole('button', { name: 'Release 2 items' }).click();
  await expect(page.getByText('Release items of w-stale: 2 of 2 changed')).toBeVisible();
  await expect(row.getByTestId('claimed-count')).toHaveText('0');
  for (const it of held) expect((await api.get(`/items/${it.id}`)).status).toBe('pending');

  // The reaper acts: w-gone is lost and what it held is released; the page shows it without reload.
  const reaped = await api.post('/reap');
  expect(reaped.lost).toEqual(expect.arrayContaining(['w-stale', 'w-gone']));
  const goneRow = page.getByTestId('worker-row-w-gone');
  await expect(goneRow.getByText('lost')).toBeVisible({ timeout: 2_000 });
  await expect(goneRow.getByText('stale', { exact: true })).toHaveCount(0);
  await expect(goneRow.getByTestId('claimed-count')).toHaveText('0');
  expect((await api.get(`/items/${gone!.id}`)).status).toBe('pending');
});

test('drain asks a worker to stop', async ({ page, request }) => {
  const api = hubApi(request);
  await api.register('w-drain', { pool_id: 'e2e-drain' });
  await page.goto('/workers');
  const row = page.getByTestId('worker-row-w-drain');
  await row.getByRole('button', { name: 'Drain w-drain' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('This will change 1 worker.');
  await dialog.getByRole('button', { name: 'Drain worker' }).click();
  await expect(page.getByText('Drain w-drain: 1 of 1 changed')).toBeVisible();
  await expect(row.getByText('terminating')).toBeVisible();
  await expect(row.getByRole('button', { name: 'Drain w-drain' })).toBeDisabled();
  expect((await api.get('/workers/w-drain')).status).toBe('terminating');
});
