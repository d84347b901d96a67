import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { SECURED_TOKENS } from '../playwright.config';
import { consoleErrors, screenshots, TAKES_SCREENSHOTS, settled } from './hub';

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

test('an unauthenticated visit goes to sign-in; a wrong token is refused', TAKES_SCREENSHOTS, async ({ page }) => {
  await page.goto('/workers?show=active');
  await expect(page).toHaveURL(/\/signin\?next=%2Fworkers%3Fshow%3Dactive$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await screenshots(page, 'signin');
  await signIn(page, 'not-a-token');
  await expect(page.getByText('The hub does not know this token')).toBeVisible();
  await expect(page).toHaveURL(/\/signin/);
});

test('a page opened without a session is sent to sign-in by the server, before any API call', async ({ page, request, baseURL }) => {
  // The answer to the page itself is the redirect: nothing of the dashboard is rendered.
  const res = await request.get('/pools/e2e-redirect?status=poisoned', { maxRedirects: 0 });
  expect(res.status()).toBe(307);
  expect(res.headers()['location']).toMatch(/\/signin\?next=%2Fpools%2Fe2e-redirect%3Fstatus%3Dpoisoned$/);

  const api: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) api.push(`${r.method()} ${r.url()}`);
  });
  for (const path of ['/pools/e2e-redirect?status=poisoned', '/', '/workers', '/items/1', '/audit', '/tokens']) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/signin(\?next=|$)/);
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  }
  // A session cookie the hub does not know is no session either.
  await page.context().addCookies([{ name: 'hub_session', value: 'not-a-token', url: baseURL! }]);
  await page.goto('/workers');
  await expect(page).toHaveURL(/\/signin\?next=%2Fworkers$/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  expect(api).toEqual([]);
});

for (const role of ['operator', 'viewer'] as const) {
  test(`every page loads directly for a ${role} without a console error or hydration mismatch`, async ({ page, request }) => {
    await seed(request, `w-hydrate-${role}`, `e2e-hydrate-${role}`);
    const pool = `e2e-hydrate-${role}`;
    // One item poisoned: the pool's poisoned tab shows role-dependent buttons (React error #418 before).
    const worker = { headers: bearer(SECURED_TOKENS.worker) };
    const pushed = await request.post(`/api/v1/pools/${pool}/items`, { ...worker, data: { items: [{ data: { n: 9 }, max_retries: 1 }] } });
    const [id] = (await pushed.json()).ids as string[];
    expect((await request.post(`/api/v1/items/${id}/claim`, { ...worker, data: { worker_id: `w-hydrate-${role}` } })).ok()).toBe(true);
    expect((await request.post(`/api/v1/items/${id}/fail`, { ...worker, data: { worker_id: `w-hydrate-${role}`, error: 'boom' } })).ok()).toBe(true);

    expect((await page.request.post('/api/v1/session', { data: { token: SECURED_TOKENS[role] } })).ok()).toBe(true);
    const errors = consoleErrors(page);
    const pages = ['/', '/workers', `/pools/${pool}`, `/pools/${pool}?status=poisoned`, `/items/${id}`, '/audit', '/api-docs', ...(role === 'operator' ? ['/tokens'] : [])];
    for (const path of pages) {
      await page.goto(path);
      await settled(page);
      await expect(page.getByTestId('session-role')).toHaveText(role);
    }
    await page.goto(`/pools/${pool}?status=poisoned`);
    await expect(page.getByRole('button', { name: 'Retry all poisoned' })).toHaveCount(role === 'operator' ? 1 : 0);
    expect(errors).toEqual([]);
  });
}

test('the Audit page filters by actor, action and target, in the address', async ({ page, request }) => {
  const operator = { headers: bearer(SECURED_TOKENS.operator) };
  const issued = await request.post('/api/v1/tokens', { ...operator, data: { name: 'ops-bob', role: 'operator' } });
  const bob = { headers: bearer((await issued.json()).token as string) };
  for (const [who, pool] of [[operator, 'e2e-audit-a'], [bob, 'e2e-audit-a'], [bob, 'e2e-audit-b']] as const) {
    expect((await request.post(`/api/v1/pools/${pool}/retry`, { ...who, data: { status: 'poisoned' } })).ok()).toBe(true);
  }
  expect((await request.post('/api/v1/pools/e2e-audit-b/discard', { ...bob, data: { status: 'poisoned' } })).ok()).toBe(true);

  await page.goto('/audit?actor=bob');
  await signIn(page, SECURED_TOKENS.operator);
  await expect(page).toHaveURL(/\/audit\?actor=bob$/);
  const rows = page.getByTestId('audit-row');
  await expect(rows).toHaveCount(3);
  for (const row of await rows.all()) await expect(row).toContainText('ops-bob');
  await expect(page.getByLabel('Actor')).toHaveValue('bob');

  await page.getByLabel('Action').selectOption('pool.retry');
  await page.getByLabel('Target').fill('audit-b');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/\/audit\?actor=bob&action=pool.retry&target=audit-b$/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('e2e-audit-b');
  await expect(page.getByTestId('audit-filter-note')).toContainText('1 of the');

  await page.getByRole('link', { name: 'Clear' }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByLabel('Actor')).toHaveValue('');
  await expect(rows.filter({ hasText: 'e2e-audit-a' })).toHaveCount(2);
});

test('sign-in never sends the browser to another site, whatever ?next= says', async ({ page, baseURL }) => {
  for (const next of ['/%09/evil.example/', '/%0a/evil.example/', '/%0d/evil.example/', '//evil.example/', '/%5Cevil.example']) {
    // Off the dashboard first: with its cookie gone, its next poll (401) would navigate to
    // sign-in by itself, racing (and aborting) the goto below.
    await page.goto('about:blank');
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

test('an operator releases a worker’s items and the Audit page shows who did it', TAKES_SCREENSHOTS, async ({ page, request }) => {
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
  await screenshots(page, 'audit');
});

test('an operator issues a token, sees its secret once, and revokes it', TAKES_SCREENSHOTS, async ({ page, request }) => {
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
  await screenshots(page, 'tokens');

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
