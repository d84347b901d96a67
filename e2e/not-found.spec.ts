import { expect, test } from '@playwright/test';
import { consoleErrors } from './hub';

// Addresses that are no page of the hub: the not-found page, answered 404, in the hub's look.
for (const address of ['/no-such-page', '/pools/e2e-nf/extra/parts']) {
  test(`${address} shows the not-found page with a 404 and no console error`, async ({ page }) => {
    const errors = consoleErrors(page);
    const res = await page.goto(address);
    expect(res?.status()).toBe(404);
    await expect(page).toHaveTitle('Not found · flatmachines-hub');
    await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
    // Hydrated: the link navigates on the client, to the overview.
    await page.getByRole('link', { name: 'Go to the overview' }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    // Chromium reports the document's own 404 on the console, as it does any resource's: that is
    // the status asserted above, not an error of the page. Nothing else may be there.
    const documentStatus = `${res!.url()}: Failed to load resource: the server responded with a status of 404 (Not Found)`;
    expect(errors.filter((e) => e !== documentStatus)).toEqual([]);
  });
}
