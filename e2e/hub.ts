import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import path from 'node:path';

/** Test data is made through the HTTP API, as workers would make it. */
export function hubApi(request: APIRequestContext) {
  const call = async (method: 'get' | 'post' | 'patch', url: string, data?: unknown) => {
    const res = await request[method](`/api/v1${url}`, data === undefined ? {} : { data });
    expect(res.ok(), `${method.toUpperCase()} ${url} → ${res.status()} ${await res.text()}`).toBeTruthy();
    return res.json();
  };
  return {
    get: (url: string) => call('get', url),
    post: (url: string, data?: unknown) => call('post', url, data),
    patch: (url: string, data?: unknown) => call('patch', url, data),
    register: (worker_id: string, extra: Record<string, unknown> = {}) =>
      call('post', '/workers', { worker_id, host: 'e2e-host', pid: 4242, ...extra }),
    push: async (pool: string, data: unknown[], max_retries = 3): Promise<string[]> =>
      (await call('post', `/pools/${pool}/items`, { items: data.map((d) => ({ data: d, max_retries })) })).ids,
    claim: async (pool: string, worker_id: string, limit = 1) =>
      (await call('post', `/pools/${pool}/claim`, { worker_id, limit })).items as { id: string }[],
    /** Claims this item and fails it, `times` times. */
    failItem: async (id: string, worker_id: string, error: string, times = 1) => {
      for (let i = 0; i < times; i++) {
        await call('post', `/items/${id}/claim`, { worker_id });
        await call('post', `/items/${id}/fail`, { worker_id, error });
      }
    },
  };
}

/**
 * The tag of every test that takes screenshots: `npm run screenshots` (scripts/screenshots.mjs)
 * runs those tests, and only those: `test('…', TAKES_SCREENSHOTS, async (…) => …)`.
 */
export const TAKES_SCREENSHOTS = { tag: '@screenshots' };

/**
 * Where screenshots go: the README's docs/screenshots/ when `npm run screenshots` takes them
 * (E2E_SCREENSHOTS=docs), else .test-tmp/screenshots/, so that a test run leaves the tracked
 * images alone. Outside test-results/ either way: Playwright empties it.
 */
const SHOTS =
  process.env.E2E_SCREENSHOTS === 'docs' ? path.join(__dirname, '..', 'docs', 'screenshots') : path.join(__dirname, '..', '.test-tmp', 'screenshots');

/** Saves a screenshot of the whole page as `name`.png (see SHOTS). */
export async function screenshot(page: Page, name: string) {
  // Untagged, `npm run screenshots` would never run the test, and its image would go stale.
  expect(test.info().tags, `a test that takes screenshots is tagged ${TAKES_SCREENSHOTS.tag}`).toContain(TAKES_SCREENSHOTS.tag);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** A phone's viewport (an iPhone 12 to 15). */
export const PHONE = { width: 390, height: 844 };

/**
 * Screenshots of the page at the test's (desktop) size as `name` and at a phone's width as
 * `name-phone`; the page is left at its desktop size.
 */
export async function screenshots(page: Page, name: string) {
  await screenshot(page, name);
  const desktop = page.viewportSize();
  await page.setViewportSize(PHONE);
  await expect.poll(() => page.evaluate(() => innerWidth)).toBe(PHONE.width);
  await screenshot(page, `${name}-phone`);
  if (desktop) await page.setViewportSize(desktop);
}

/** How far the page reaches past the viewport's right edge, in CSS pixels (0: nothing off-screen). */
export const overflowX = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth - innerWidth);

/**
 * Records the page's console errors and uncaught exceptions (a hydration mismatch is one:
 * React error #418), failed loads included ("Failed to load resource: 404").
 */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  return errors;
}

/**
 * Waits until a dashboard page has hydrated, connected its event stream and loaded its data
 * (no "Loading …" left).
 */
export async function settled(page: Page) {
  await waitLive(page);
  await expect(page.getByText(/^Loading .*…$/)).toHaveCount(0);
}

/** Waits until the dashboard's event stream is connected. */
export async function waitLive(page: Page) {
  await expect(page.getByTestId('live-state')).toHaveText('Live');
}
