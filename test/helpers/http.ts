import { request } from 'node:http';
import { checkAnswer } from './openapi';

// Bodies are read loosely (`any`) so black-box assertions stay short; every answer is checked
// against the OpenAPI document (test/helpers/openapi.ts) before the test sees it.
/** A tiny JSON client for black-box API tests: returns status, headers and parsed body. */
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export function client(api: string, defaults: { token?: string } = {}) {
  async function call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const h: Record<string, string> = { ...headers };
    if (defaults.token && !('authorization' in h)) h.authorization = `Bearer ${defaults.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      if (!('content-type' in h)) h['content-type'] = 'application/json';
    }
    const res = await fetch(`${api}${path}`, { method, headers: h, body: payload });
    const text = await res.text();
    checkAnswer(method, `${api}${path}`, res.status, res.headers.get('content-type'), method === 'HEAD' ? null : text);
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // leave as text
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }
  return {
    call,
    get: <T = any>(path: string, headers?: Record<string, string>) => call<T>('GET', path, undefined, headers),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('POST', path, body, headers),
    patch: <T = any>(path: string, body?: unknown) => call<T>('PATCH', path, body),
    del: <T = any>(path: string) => call<T>('DELETE', path),
  };
}
export type Client = ReturnType<typeof client>;

/**
 * One request over node:http, to 127.0.0.1:`port`: fetch refuses methods such as TRACE, paths it
 * would normalise, and a Host header of the caller's choosing.
 */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const sent = { ...(body ? { 'content-type': 'application/json' } : {}), ...headers };
    const req = request({ host: '127.0.0.1', port, method, path, headers: sent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        try {
          const type = res.headers['content-type'] ?? null;
          checkAnswer(method, `http://127.0.0.1:${port}${path}`, res.statusCode!, type, method === 'HEAD' ? null : text);
          resolve({ status: res.statusCode!, headers: res.headers, text });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
