/** Security headers over real HTTP: every page and API response, and a fresh CSP nonce per page. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { checkedFetch } from '../helpers/openapi';

let hub: HubProcess;
beforeAll(async () => {
  hub = await startHub();
});
afterAll(async () => hub?.stop());

function expectCommon(res: Response) {
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('same-origin');
  expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
}

it('sends them on API answers, errors included, with a policy that loads nothing', async () => {
  for (const [method, path] of [['GET', '/pools'], ['GET', '/no-such-route'], ['POST', '/pools/p/items']] as const) {
    const res = await checkedFetch(`${hub.api}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{' : undefined });
    expectCommon(res);
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    await res.arrayBuffer();
  }
});

it('sends them on pages, with a nonce of their own on every script', async () => {
  const nonces = [];
  for (const path of ['/', '/workers', '/signin', '/audit', '/tokens', '/no-such-page']) {
    const res = await fetch(`${hub.url}${path}`);
    expectCommon(res);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    nonces.push(nonce);
    const html = await res.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag, path).toContain(`nonce="${nonce}"`);
  }
  expect(new Set(nonces).size).toBe(nonces.length);
});
