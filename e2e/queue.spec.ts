import { expect, test } from '@playwright/test';
import { consoleErrors, hubApi, screenshots, TAKES_SCREENSHOTS } from './hub';

test('pause a pool from the browser: a worker gets nothing; resume: it drains', async ({ page, request }) => {
  const api = hubApi(request);
  const errors = consoleErrors(page);
  await api.register('w-pause', { pool_id: 'e2e-pause' });
  await api.push('e2e-pause', [{ n: 1 }, { n: 2 }, { n: 3 }]);

  await page.goto('/pools/e2e-pause');
  await page.getByRole('button', { name: 'Pause pool' }).click();
  let dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Claims of this pool get nothing until it is resumed');
  await dialog.getByRole('button', { name: 'Pause pool' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('paused');
  expect(await api.get('/pools/e2e-pause')).toMatchObject({ paused: true, pending: 3 });
  expect(await api.claim('e2e-pause', 'w-pause', 10)).toEqual([]);

  // The overview says so too.
  await page.goto('/');
  await expect(page.getByTestId('pool-row-e2e-pause')).toContainText('paused');

  await page.goto('/pools/e2e-pause');
  // A worker waiting for work is answered the moment the operator resumes.
  const waiting = api.post('/pools/e2e-pause/claim', { worker_id: 'w-pause', limit: 10, wait_seconds: 20 });
  await page.getByRole('button', { name: 'Resume pool' }).click();
  dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Resume pool' }).click();
  const { items } = (await waiting) as { items: { id: string }[] };
  expect(items).toHaveLength(3);
  for (const it of items) await api.post(`/items/${it.id}/complete`, { worker_id: 'w-pause' });
  await expect(page.getByTestId('pool-summary')).toContainText('0 pending · 0 claimed · 3 completed');
  await expect(page.getByRole('heading', { level: 1 })).not.toContainText('paused');
  const audit = (await api.get('/audit?limit=2')) as { entries: { action: string; target: string }[] };
  expect(audit.entries.map((e) => [e.action, e.target])).toEqual([
    ['pool.resume', 'e2e-pause'],
    ['pool.pause', 'e2e-pause'],
  ]);
  expect(errors).toEqual([]);
});

test('pool settings from the browser: a backoff policy, then a failed item waits and can be run now', TAKES_SCREENSHOTS, async ({ page, request }) => {
  const api = hubApi(request);
  await api.register('w-backoff', { pool_id: 'e2e-backoff' });
  await page.goto('/pools/e2e-backoff');
  const form = page.getByTestId('pool-settings');
  await form.getByLabel('Backoff').selectOption('fixed');
  await form.getByLabel('Delay seconds').fill('-1');
  await expect(form.getByRole('alert')).toContainText('delay_seconds');
  await expect(form.getByRole('button', { name: 'Save settings' })).toBeDisabled();
  await form.getByLabel('Delay seconds').fill('600');
  await form.getByLabel('Max retries').fill('5');
  await form.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Save settings' }).click();
  await expect.poll(async () => api.get('/pools/e2e-backoff/settings')).toMatchObject({ max_retries: 5, backoff: { type: 'fixed', delay_seconds: 600 } });

  const [id] = await api.push('e2e-backoff', [{ job: 'flaky' }], 5);
  await api.push('e2e-backoff', [{ job: 'now' }]);
  await api.post('/pools/e2e-backoff/items', { data: { job: 'tomorrow' }, delay_seconds: 86_400, priority: 5, key: 'daily-report' });
  await api.failItem(id!, 'w-backoff', 'ConnectionResetError: peer went away');
  await page.goto('/pools/e2e-backoff?status=scheduled');
  await expect(page.getByRole('link', { name: /^scheduled/ })).toContainText('2');
  await expect(page.getByRole('table', { name: 'Items' }).getByRole('row')).toHaveCount(3);
  await screenshots(page, 'pool-scheduled');

  await page.goto(`/items/${id}`);
  await expect(page.getByTestId('fact-next-attempt')).not.toHaveText('—');
  await expect(page.getByTestId('fact-backoff')).toHaveText("the pool's");
  await page.getByRole('button', { name: 'Run now' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Run now' }).click();
  await expect(page.getByTestId('fact-status')).toHaveText('pending');
  await expect(page.getByRole('button', { name: 'Run now' })).toHaveCount(0);
  expect((await api.get(`/items/${id}`)).status).toBe('pending');
});
