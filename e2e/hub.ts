import { expect, type APIRequestContext, type Page } from '@playwright/test';
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

/** Saves a screenshot of the page for docs/ (outside test-results/, which Playwright empties). */
export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: path.join(__dirname, '..', 'docs', 'screenshots', `${name}.png`), fullPage: true });
}

/** Waits until the dashboard's event stream is connected. */
export async function waitLive(page: Page) {
  await expect(page.getByTestId('live-state')).toHaveText('Live');
}
