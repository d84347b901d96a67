import http from 'node:http';
import https from 'node:https';

/** What the transport reads of an answer. */
export interface Answer {
  status: number;
  /** A response header, repeats joined; null when absent. */
  header(name: string): string | null;
  text: string;
}

export interface Exchange {
  /**
   * Sends one request and reads its whole answer. Rejects when there is no answer: the
   * connection failed or closed early, `timeoutMs` passed, or `signal` aborted.
   */
  (
    url: URL,
    req: { method: string; headers: Record<string, string>; body: string | undefined; timeoutMs: number; signal: AbortSignal | undefined },
  ): Promise<Answer>;
}

/** An exchange through a fetch implementation (a test's, a proxy's, or a runtime without node:http). */
export function fetchExchange(fetchImpl: typeof fetch): Exchange {
  return async (url, req) => {
    const timeout = AbortSignal.timeout(req.timeoutMs);
    const res = await fetchImpl(url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: req.signal ? AbortSignal.any([timeout, req.signal]) : timeout,
    });
    return { status: res.status, header: (name) => res.headers.get(name), text: await res.text() };
  };
}

/**
 * Idle connections are closed after this long, before the hub's own 5 s keep-alive timeout
 * (Node's default) closes them: a request never goes out on a connection the hub is closing.
 * Only idle connections: a request waiting for its answer (a waiting claim) is not cut.
 */
const IDLE_MS = 4_000;
const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: IDLE_MS }),
  'https:': new https.Agent({ keepAlive: true, timeout: IDLE_MS }),
};

/**
 * The exchange on Node: node:http(s) over kept-alive connections. A claim of 100 items and their
 * batch completion cost a worker ~0.7 ms of CPU this way and ~2.8 ms through Node's fetch, whose
 * web streams and abort signals dominate a worker that does little else (bench/http-child.ts).
 */
export const nodeExchange: Exchange = (url, req) =>
  new Promise<Answer>((resolve, reject) => {
    const agent = url.protocol === 'https:' ? agents['https:'] : url.protocol === 'http:' ? agents['http:'] : undefined;
    if (!agent) return reject(new Error(`${url.protocol} is not http: or https:`));
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    const headers = body ? { ...req.headers, 'content-length': String(body.length) } : req.headers;
    // The timer fires after `request` below is made.
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${req.timeoutMs} ms`)), req.timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    const request = (agent === agents['https:'] ? https : http).request(url, { method: req.method, headers, agent, signal: req.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          header: (name) => {
            const v = res.headers[name.toLowerCase()];
            return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
          },
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete) fail(new Error('the connection closed before the whole answer arrived'));
      });
    });
    request.on('error', fail);
    request.end(body);
  });
