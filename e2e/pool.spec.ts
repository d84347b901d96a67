import { expect, test } from '@playwright/test';
import { hubApi, screenshots, TAKES_SCREENSHOTS } from './hub';

test('poisoned items grouped by error: retry one group, discard another', TAKES_SCREENSHOTS, async ({ page, request }) => {
  const api = hubApi(request);
  await api.register('w-pool', { pool_id: 'e2e-groups' });
  const ids = await api.push('e2e-groups', [
    { user: 'alice', step: 1 },
    { user: 'bob', step: 1 },
    { user: 'carol', step: 2 },
    { user: 'dave', step: 2 },
    { user: 'erin', step: 3 },
    { user: 'frank', step: 3 },
  ], 1);
  for (const id of ids.slice(0, 3)) await api.failItem(id, 'w-pool', 'TimeoutError: db did not answer in 30 s');
  for (const id of ids.slice(3, 5)) await api.failItem(id, 'w-pool', 'KeyError: customer_id');
  await api.claim('e2e-groups', 'w-pool', 1); // frank: claimed, a bystander

  await page.goto('/pools/e2e-groups?status=poisoned');
  const groups = page.getByTestId('error-group');
  await expect(groups).toHaveCount(2);
  await expect(groups.nth(0)).toContainText('TimeoutError');
  await expect(groups.nth(0).getByTestId('group-count')).toHaveText('3');
  await expect(groups.nth(1).getByTestId('group-count')).toHaveText('2');
  await expect(page.getByRole('table', { name: 'Claimed by' })).toContainText('w-pool');
  await screenshots(page, 'pool');

  await groups.nth(0).getByRole('button', { name: 'Retry group' }).click();
  let dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('This will change 3 items.');
  await dialog.getByRole('button', { name: 'Retry 3 items' }).click();
  await expect(page.getByText('Retry error group: 3 of 3 changed')).toBeVisible();
  await expect(groups).toHaveCount(1);
  expect(await api.get('/pools/e2e-groups')).toMatchObject({ pending: 3, claimed: 1, poisoned: 2 });

  await groups.nth(0).getByRole('button', { name: 'Discard group' }).click();
  dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('This will change 2 items.');
  await dialog.getByRole('button', { name: 'Discard 2 items' }).click();
  await expect(page.getByText('Discard error group: 2 of 2 changed')).toBeVisible();
  await expect(page.getByText('Nothing is poisoned in this pool.')).toBeVisible();
  expect(await api.get('/pools/e2e-groups')).toMatchObject({ pending: 3, claimed: 1, completed: 0, poisoned: 0 });
  expect((await api.get(`/items/${ids[5]}`)).status).toBe('claimed');
});

test('status tab and search live in the address', async ({ page, request }) => {
  const api = hubApi(request);
  await api.push('e2e-search', [{ customer: 'Acme Corp' }, { customer: 'Globex' }, { customer: 'acme labs' }]);
  await page.goto('/pools/e2e-search');
  await page.getByRole('searchbox', { name: 'Search item data' }).fill('acme');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\?q=acme$/);
  const table = page.getByRole('table', { name: 'Items' });
  await expect(table.getByRole('row')).toHaveCount(3);
  await page.getByRole('link', { name: /^pending/ }).click();
  await expect(page).toHaveURL(/status=pending&q=acme/);
  await expect(table.getByRole('row')).toHaveCount(3);
  await page.getByRole('link', { name: /^claimed/ }).click();
  await expect(page.getByText('No claimed items whose data contains “acme”.')).toBeVisible();
});
