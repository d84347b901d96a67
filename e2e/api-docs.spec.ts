import { expect, test } from '@playwright/test';
import { screenshots, TAKES_SCREENSHOTS } from './hub';

// The API reference: every operation of the OpenAPI document, readable under the page's CSP.
test('the API page lists every operation and opens one', TAKES_SCREENSHOTS, async ({ page, request }) => {
  const doc = await (await request.get('/api/v1/openapi.json')).json();
  const operations = Object.values(doc.paths as Record<string, object>).reduce<number>((n, item) => n + Object.keys(item).length, 0);
  await page.goto('/');
  await page.getByRole('link', { name: 'API', exact: true }).click();
  await expect(page).toHaveURL(/\/api-docs$/);
  await expect(page.locator('details')).toHaveCount(operations);
  await screenshots(page, 'api-docs');
  const claim = page.locator('#op-claim');
  await claim.locator('summary').click();
  await expect(claim.getByText('Request body')).toBeVisible();
  await expect(claim.getByText('worker_id', { exact: true })).toBeVisible();
  await expect(claim.getByText('worker-not-active')).toBeVisible();
  await claim.getByRole('link', { name: 'ClaimedItems' }).click();
  await expect(page.locator('#schema-ClaimedItems')).toBeInViewport();
});
