'use client';

import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { Session, type DashboardAction } from '@/lib/contracts';
import { ApiError, apiCall } from './fetch';
import { queryKeys } from './keys';
import { can, signInHref } from './rules';

/**
 * Who is signed in: `GET /api/v1/session` answers from the httpOnly cookie (which scripts cannot
 * read). A 401 here, as from any other call, sends the operator to the sign-in page.
 */
export function useSession() {
  return useQuery({
    queryKey: queryKeys.session(),
    queryFn: ({ signal }) => apiCall('/session', Session, { signal }),
    staleTime: 60_000,
    retry: (n, err) => !(err instanceof ApiError && err.status === 401) && n < 2,
  });
}

/** `can(action)` for the signed-in role; false for everything until the session is known. */
export function useCan(): (action: DashboardAction) => boolean {
  const role = useSession().data?.role;
  return (action) => can(role, action);
}

/** Exchanges a token for the session cookie. Throws ApiError (401 for a token the hub does not know). */
export const signIn = (token: string) => apiCall('/session', Session, { method: 'POST', body: { token } });

/** Drops the session cookie. */
export const signOut = () => apiCall('/session', z.null(), { method: 'DELETE' });

let leaving = false;

/**
 * Sends the browser to the sign-in page, remembering where it was. A full page load on purpose:
 * it drops every cached answer and the event stream of the session that just ended. Many queries
 * fail with 401 at once; only the first one navigates.
 */
export function goToSignIn(): void {
  if (leaving || typeof window === 'undefined') return;
  leaving = true;
  window.location.assign(signInHref(window.location.pathname + window.location.search));
}

export const isUnauthorized = (err: unknown) => err instanceof ApiError && err.status === 401;
