import { expect, test } from '@playwright/test';
import { hubApi, screenshots, TAKES_SCREENSHOTS } from './hub';

test('an item fails until poisoned, is retried from the Item page and is pending again', TAKES_SCREENSHOTS, async ({ page, request }) => {
  const api = hubApi(request);
  await api.register('w-item', { pool_id: 'e2e-item' });
  const [id] = await api.push('e2e-item', [{ invoice: 'INV-2041', pages: 12 }], 2);
  await api.failItem(id!, 'w-item', 'ValueError: page 7 is not a PDF', 2);
  expect((await api.get(`/items/${id}`)).status).toBe('poisoned');

  await page.goto(`/items/${id}`);
  await expect(page.getByTestId('fact-status')).toHaveText('poisoned');
  await expect(page.getByTestId('fact-attempts')).toHaveText('2 of 2');
  const history = page.getByRole('table', { name: 'History' });
  await expect(history.getByRole('row')).toHaveCount(3); // header + two attempts
  await expect(history.getByText('failed')).toHaveCount(2);
  await expect(page.getByLabel('Data')).toContainText('INV-2041');
  await screenshots(page, 'item');

  await page.getByRole('button', { name: 'Retry', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('This will change 1 item.');
  await dialog.getByRole('button', { name: 'Retry item' }).click();
  await expect(page.getByText(`Retry item #${id}: 1 of 1 changed`)).toBeVisible();
  await expect(page.getByTestId('fact-status')).toHaveText('pending');

  const after = await api.get(`/items/${id}`);
  expect(after).toMatchObject({ status: 'pending', attempts: 0, claimed_by: null });
  expect(after.history).toHaveLength(2);
});

test('an unknown item says so', async ({ page }) => {
  await page.goto('/items/999999');
  await expect(page.getByText('does not exist')).toBeVisible();
});
