'use client';

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createContext, useContext, useState, type ReactNode } from 'react';
import type { Session } from '@/lib/contracts';
import { queryKeys } from './keys';
import { RefreshProvider } from './refresh';
import { goToSignIn, isUnauthorized } from './session';

/** What the dashboard must know of the hub's configuration. */
export interface HubSettings {
  staleSeconds: number;
  reapIntervalSeconds: number;
}

const SettingsContext = createContext<HubSettings | null>(null);

export function useHubSettings(): HubSettings {
  const s = useContext(SettingsContext);
  if (!s) throw new Error('useHubSettings needs DashboardProviders');
  return s;
}

/**
 * Everything the dashboard pages share of the data: query cache, refresh setting, settings (the
 * confirmations of destructive actions are components/Actions.tsx, inside these).
 * `session` is who the server found opening the page: the cache starts with it, so the first
 * render (the server's and the client's alike) already knows the role.
 */
export function DashboardProviders({ settings, session, children }: { settings: HubSettings; session: Session; children: ReactNode }) {
  const [client] = useState(() => {
    const c = new QueryClient({
      // Any call answered 401 (no session, or its token was revoked): sign in again.
      queryCache: new QueryCache({ onError: (err) => isUnauthorized(err) && goToSignIn() }),
      mutationCache: new MutationCache({ onError: (err) => isUnauthorized(err) && goToSignIn() }),
      defaultOptions: { queries: { staleTime: 0, retry: (n, err) => !isUnauthorized(err) && n < 1, refetchOnWindowFocus: true } },
    });
    c.setQueryData(queryKeys.session(), session);
    return c;
  });
  return (
    <QueryClientProvider client={client}>
      <SettingsContext.Provider value={settings}>
        <RefreshProvider>{children}</RefreshProvider>
      </SettingsContext.Provider>
    </QueryClientProvider>
  );
}
