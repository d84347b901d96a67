import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { SECURED_TOKENS } from '../playwright.config';
import { screenshot } from './hub';

// Runs against the hub started with HUB_OPERATOR_TOKEN, HUB_WORKER_TOKEN and HUB_VIEWER_TOKEN.
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function signIn(page: Page, token: string) {
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A worker of its own for each test, holding 2 of the 3 items of a pool of its own. */
async function seed(request: APIRequestContext, worker: string, pool: string) {
  const call = async (url: string, data: unknown) => {
    const res = await request.post(`/api/v1${url}`, { data, headers: bearer(SECURED_TOKENS.worker) });
    expect(res.ok(), `POST ${url} → ${res.status()} ${await res.text()}`).toBeTruthy();
  };
  await call('/workers', { worker_id: worker, pool_id: pool, host: 'e2e-host', pid: 7 });
  await call(`/pools/${pool}/items`, { items: [{ data: { n: 1 } }, { data: { n: 2 } }, { data: { n: 3 } }] });
  await call(`/pools/${pool}/claim`, { worker_id: worker, limit: 2 });
}

test('an unauthenticated visit goes to sign-in; a wrong token is refused', async ({ page }) => {
  await page.goto('/workers?show=active');
  await expect(page).toHaveURL(/\/signin\?next=%2Fworkers%3Fshow%3Dactive$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await screenshot(page, 'signin');
  await signIn(page, 'not-a-token');
  await expect(page.getByText('The hub does not know this token')).toBeVisible();
  await expect(page).toHaveURL(/\/signin/);
});

test('sign-in never sends the browser to another site, whatever ?next= says', async ({ page, baseURL }) => {
  for (const next of ['/%09/evil.example/', '/%0a/evil.example/', '/%0d/evil.example/', '//evil.example/', '/%5Cevil.example']) {
    await page.context().clearCookies();
    await page.goto(`/signin?next=${next}`);
    await signIn(page, SECURED_TOKENS.viewer);
    await expect(page.getByTestId('session-role')).toHaveText('viewer');
    expect(new URL(page.url()).origin, `next=${next}`).toBe(new URL(baseURL!).origin);
  }
});

for (const role of ['viewer', 'worker'] as const) {
  test(`a ${role} sees the data and no action buttons`, async ({ page, request }) => {
    const worker = `w-${role}`;
    await seed(request, worker, `e2e-${role}`);
    await page.goto('/workers');
    await signIn(page, SECURED_TOKENS[role]);
    await expect(page).toHaveURL(/\/workers$/);
    await expect(page.getByTestId('session-role')).toHaveText(role);
    const row = page.getByTestId(`worker-row-${worker}`);
    await expect(row.getByTestId('claimed-count')).toHaveText('2');
    await expect(page.getByRole('button', { name: /^(Release|Drain)/ })).toHaveCount(0);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link', { name: 'Tokens' })).toHaveCount(0);
    await expect(nav.getByRole('link', { name: 'Audit' })).toHaveCount(role === 'viewer' ? 1 : 0);

    await page.goto(`/pools/e2e-${role}`);
    await expect(page.getByRole('table', { name: 'Claimed by' })).toContainText(worker);
    await expect(page.getByRole('button', { name: /Release|Retry|Discard/ })).toHaveCount(0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/signin$/);
    await page.goto('/');
    await expect(page).toHaveURL(/\/signin/);
  });
}

test('an operator releases a worker’s items and the Audit page shows who did it', async ({ page, request }) => {
  await seed(request, 'w-sec', 'e2e-sec');
  await page.goto('/workers');
  await signIn(page, SECURED_TOKENS.operator);
  await expect(page.getByTestId('session-name')).toHaveText('operator');
  await expect(page.getByTestId('open-hub')).toHaveCount(0);
  const row = page.getByTestId('worker-row-w-sec');
  await row.getByRole('button', { name: 'Release items of w-sec' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('This will change 2 items.');
  await dialog.getByRole('button', { name: 'Release 2 items' }).click();
  await expect(page.getByText('Release items of w-sec: 2 of 2 changed')).toBeVisible();
  await expect(row.getByTestId('claimed-count')).toHaveText('0');
  await row.getByRole('button', { name: 'Drain w-sec' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Drain worker' }).click();
  await expect(page.getByText('Drain w-sec: 1 of 1 changed')).toBeVisible();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  await expect(page).toHaveURL(/\/audit$/);
  const entry = page.getByTestId('audit-row').filter({ hasText: 'worker.release' });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText('w-sec');
  await expect(entry).toContainText('operator');
  await expect(entry.getByTestId('audit-changed')).toHaveText('2');
  // Newest first: the drain, with the status it set, is above the release.
  await expect(page.getByTestId('audit-row').first()).toContainText('worker.status');
  await expect(page.getByTestId('audit-row').first()).toContainText('terminating');
  // The toasts go by themselves after 6 s; the screenshot is of the table.
  await expect(page.getByRole('button', { name: 'Dismiss' })).toHaveCount(0);
  await screenshot(page, 'audit');
});

test('an operator issues a token, sees its secret once, and revokes it', async ({ page, request }) => {
  await page.goto('/tokens');
  await signIn(page, SECURED_TOKENS.operator);
  await expect(page).toHaveURL(/\/tokens$/);
  await page.getByLabel('Name').fill('worker-7');
  await page.getByLabel('Role').selectOption('worker');
  await page.getByLabel(/Acts only as worker/).fill('w-seven');
  await page.getByRole('button', { name: 'Issue token' }).click();
  await expect(page.getByLabel('Name')).toHaveValue('');
  const secret = page.getByTestId('issued-secret');
  await expect(page.getByRole('region', { name: 'New token' })).toContainText('it will not be shown again');
  const token = await secret.inputValue();
  expect(token.length).toBeGreaterThan(20);
  const row = page.getByTestId('token-row-worker-7');
  await expect(row).toContainText('never');
  await expect(row.getByTestId('token-worker')).toHaveText('w-seven');
  await screenshot(page, 'tokens');

  // The issued token works as a bearer token until revoked, as its own worker only.
  expect((await request.get('/api/v1/pools', { headers: bearer(token) })).status()).toBe(200);
  expect((await request.post('/api/v1/workers', { headers: bearer(token), data: {} })).status()).toBe(201);
  expect((await request.post('/api/v1/workers', { headers: bearer(token), data: { worker_id: 'someone-else' } })).status()).toBe(403);
  await page.getByRole('button', { name: 'I have stored it' }).click();
  await expect(secret).toHaveCount(0);

  await row.getByRole('button', { name: 'Revoke worker-7' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('This will change 1 token.');
  await dialog.getByRole('button', { name: 'Revoke token' }).click();
  await expect(page.getByText('Revoke worker-7: 1 of 1 changed')).toBeVisible();
  await expect(row).toContainText('revoked');
  await expect(row.getByRole('button', { name: 'Revoke worker-7' })).toHaveCount(0);
  expect((await request.get('/api/v1/pools', { headers: bearer(token) })).status()).toBe(401);
});
