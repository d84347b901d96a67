import { cookies, headers } from 'next/headers';
import type { Session } from '@/lib/contracts';
import { holderOf, isOpen, SESSION_COOKIE, throttled } from '@/lib/http/auth';
import { ProblemError } from '@/lib/http/problem';
import { PATH_HEADER, PEER_HEADER } from '@/lib/http/page-headers';
import type { HubRequest } from '@/lib/http/reply';
import { getHub } from './hub';

const NEVER = new AbortController().signal;

/**
 * Who opens a dashboard page, read on the server from the session cookie: the anonymous
 * operator on an open hub, `null` without a cookie or with a wrong or revoked token. A wrong
 * cookie counts against its address like a wrong bearer token; an address that has used up its
 * guesses is `null` too (the sign-in form then shows the 429).
 */
export async function pageSession(): Promise<Session | null> {
  const hub = getHub();
  if (isOpen(hub.config)) return { role: 'operator', name: 'anonymous', open: true };
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  const h = await headers();
  const req: HubRequest = { method: 'GET', url: 'http://page.invalid/', headers: h, signal: NEVER, remoteAddress: h.get(PEER_HEADER) ?? undefined };
  try {
    const holder = await throttled(req, hub.config, () => holderOf(token, hub.config, hub.store));
    return holder && { role: holder.role, name: holder.name, open: false };
  } catch (err) {
    if (err instanceof ProblemError) return null;
    throw err;
  }
}

/** The page asked for (path and query), for the sign-in page's `next`. */
export async function pagePath(): Promise<string> {
  return (await headers()).get(PATH_HEADER) ?? '/';
}
