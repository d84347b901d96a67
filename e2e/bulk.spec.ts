import { expect, test } from '@playwright/test';
import { consoleErrors, hubApi, screenshots, settled, TAKES_SCREENSHOTS } from './hub';

test('select rows, select all N matching, retry and discard the selection', TAKES_SCREENSHOTS, async ({ page, request }) => {
  const errors = consoleErrors(page);
  const api = hubApi(request);
  const ids = await api.push('e2e-bulk', Array.from({ length: 55 }, (_, i) => ({ n: i })), 1);
  for (const [i, id] of ids.entries()) await api.failItem(id, i % 2 ? 'w-odd' : 'w-even', `KeyError: customer_${i}`);

  await page.goto('/pools/e2e-bulk?status=poisoned');
  await settled(page);
  await page.getByRole('checkbox', { name: `Select item ${ids[0]}`, exact: true }).check();
  await page.getByRole('checkbox', { name: `Select item ${ids[1]}`, exact: true }).check();
  await expect(page.getByTestId('selection-count')).toHaveText('2 items selected.');
  await page.getByRole('region', { name: 'Selection' }).getByRole('button', { name: 'Retry selected' }).click();
  let dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('This will change 2 items.');
  await dialog.getByRole('button', { name: 'Retry 2 items' }).click();
  await expect(page.getByText('2 of 2 changed')).toBeVisible();
  expect(await api.get('/pools/e2e-bulk')).toMatchObject({ pending: 2, poisoned: 53 });

  await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
  await expect(page.getByTestId('selection-count')).toHaveText('50 items selected.');
  await page.getByRole('button', { name: 'Select all 53 matching' }).click();
  await expect(page.getByTestId('selection-count')).toHaveText('All 53 items matching selected.');
  await screenshots(page, 'pool-selection');
  await page.getByRole('region', { name: 'Selection' }).getByRole('button', { name: 'Discard selected' }).click();
  dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('This will change 53 items.');
  await dialog.getByRole('button', { name: 'Discard 53 items' }).click();
  await expect(page.getByText('53 of 53 changed')).toBeVisible();
  expect(await api.get('/pools/e2e-bulk')).toMatchObject({ pending: 2, poisoned: 0 });
  expect(errors).toEqual([]);
});

test('filters by error group, worker and age, newest first; discard all poisoned', async ({ page, request }) => {
  const errors = consoleErrors(page);
  const api = hubApi(request);
  const ids = await api.push('e2e-filters', [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }], 1);
  await api.failItem(ids[0]!, 'w-f1', 'TimeoutError: after 30 s');
  await api.failItem(ids[1]!, 'w-f2', 'KeyError: user_1');
  await api.failItem(ids[2]!, 'w-f1', 'KeyError: user_2');
  await api.failItem(ids[3]!, 'w-f2', 'TimeoutError: after 31 s');
  const rows = page.locator('tbody tr[data-testid^="item-row-"]');
  const shown = async () => (await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')!.replace('item-row-', ''))));

  await page.goto('/pools/e2e-filters?status=poisoned');
  await settled(page);
  await expect.poll(shown).toEqual(ids);
  const filters = page.getByRole('group', { name: 'Item filters' });
  await filters.getByLabel('Error group').selectOption({ label: 'KeyError: user_<n> (2)' });
  await expect.poll(shown).toEqual([ids[1], ids[2]]);
  await expect(page).toHaveURL(/fingerprint=/);
  await filters.getByLabel('Worker').fill('w-f1');
  await filters.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(shown).toEqual([ids[2]]);
  await filters.getByRole('button', { name: 'Clear filters' }).click();
  await expect.poll(shown).toEqual(ids);
  await filters.getByLabel('Order').selectOption('desc');
  await expect.poll(shown).toEqual([...ids].reverse());
  await expect(page).toHaveURL(/order=desc/);
  await filters.getByLabel('Age').selectOption({ label: 'older than 1 h' });
  await expect(page.getByText('No poisoned items match.')).toBeVisible();
  // Loaded directly, the address gives the same view.
  await page.goto('/pools/e2e-filters?status=poisoned&order=desc&worker_id=w-f2');
  await settled(page);
  await expect.poll(shown).toEqual([ids[3], ids[1]]);

  await page.getByRole('button', { name: 'Discard all poisoned' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('This will change 4 items.');
  await dialog.getByRole('button', { name: 'Discard 4 items' }).click();
  await expect(page.getByText('4 of 4 changed')).toBeVisible();
  expect(await api.get('/pools/e2e-filters')).toMatchObject({ poisoned: 0 });
  expect(errors).toEqual([]);
});

test("workers show what each completed and failed, and every item it holds; the overview shows queue latency", async ({ page, request }) => {
  const errors = consoleErrors(page);
  const api = hubApi(request);
  await api.register('w-counts', { pool_id: 'e2e-counts', started_at: new Date(Date.now() - 3600_000).toISOString() });
  const ids = await api.push('e2e-counts', [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
  await api.claim('e2e-counts', 'w-counts', 4);
  await api.post(`/items/${ids[0]}/complete`, { worker_id: 'w-counts' });
  await api.post(`/items/${ids[1]}/fail`, { worker_id: 'w-counts', error: 'boom' });

  await page.goto('/workers');
  await settled(page);
  const row = page.getByTestId('worker-row-w-counts');
  await expect(row.getByTestId('worker-counts')).toHaveText('1 / 1');
  await expect(row.getByTestId('uptime')).toContainText('1 h');
  const held = row.getByRole('list', { name: 'Items w-counts holds' });
  for (const id of [ids[2], ids[3]]) await expect(held.getByRole('link', { name: `#${id}` })).toBeVisible();
  await expect(row.getByTestId('claimed-count')).toHaveText('2');

  await page.goto('/');
  await settled(page);
  await expect(page.getByTestId('pool-row-e2e-counts').getByTestId('pool-latency')).toHaveText(/^\d+ (ms|s) \/ \d+ (ms|s)$/);
  await page.goto('/?window=day');
  await settled(page);
  await expect(page.getByTestId('pool-row-e2e-counts').getByTestId('pool-latency')).not.toHaveText('—');
  expect(errors).toEqual([]);
});
