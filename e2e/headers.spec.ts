import { expect, test } from '@playwright/test';

// Every page under the Content-Security-Policy, in Chromium: nothing it loads or runs is refused.
// No data of its own: the other specs' screenshots stay as they were.
test('no page breaks its Content-Security-Policy', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Refused to load: CSP ${e.violatedDirective} ${e.blockedURI}`));
  });
  for (const path of ['/', '/workers', '/pools/e2e-csp', '/items/999999', '/audit', '/tokens', '/api-docs']) {
    const res = await page.goto(path);
    expect(res?.headers()['content-security-policy'], path).toMatch(/script-src 'self' 'nonce-/);
    expect(res?.headers()['x-frame-options']).toBe('DENY');
    // The scripts ran (hydrated, fetched the session) and the event stream connected.
    await expect(page.getByTestId('session-role')).toHaveText('operator');
    await expect(page.getByTestId('live-state')).toHaveText('Live');
  }
  // An open hub's sign-in page says there is nothing to sign in to (e2e/dashboard.spec.ts).
  await page.goto('/signin');
  await expect(page.getByRole('link', { name: 'Open the dashboard' })).toBeVisible();
  expect(violations).toEqual([]);
});

test('an open hub says so on every page', async ({ page }) => {
  await page.goto('/workers');
  await expect(page.getByTestId('open-hub')).toContainText('Open hub: no token configured, anyone who reaches it is an operator (listening on 127.0.0.1 only)');
  await expect(page.getByTestId('session-role')).toHaveText('operator');
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
});
