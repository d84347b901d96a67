import type { z } from 'zod';
import { Problem } from '@/lib/contracts';

export const API = '/api/v1';

/** A request the hub refused (problem+json) or that did not get a well-formed answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Calls the hub and validates the answer with the shared contract, so a page never renders a
 * shape the API did not promise. Throws ApiError with the problem's detail on any non-2xx.
 */
export async function apiCall<S extends z.ZodType>(
  path: string,
  schema: S,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<z.output<S>> {
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, {
      method: init.method ?? 'GET',
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
      cache: 'no-store',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'the hub cannot be reached');
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, 'bad-response', `the hub answered ${res.status} with something that is not JSON`);
  }
  if (!res.ok) {
    const p = Problem.safeParse(body);
    throw p.success
      ? new ApiError(p.data.status, p.data.code, p.data.detail)
      : new ApiError(res.status, 'http-error', `the hub answered ${res.status}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(res.status, 'bad-response', `unexpected answer from ${path}`);
  return parsed.data;
}

export const enc = encodeURIComponent;
