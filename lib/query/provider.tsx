'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createContext, useContext, useState, type ReactNode } from 'react';
import { ActionsProvider } from './actions';
import { RefreshProvider } from './refresh';

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

/** Everything the dashboard pages share: query cache, refresh setting, confirmations, settings. */
export function DashboardProviders({ settings, children }: { settings: HubSettings; children: ReactNode }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: { queries: { staleTime: 0, retry: 1, refetchOnWindowFocus: true } },
      }),
  );
  return (
    <QueryClientProvider client={client}>
      <SettingsContext.Provider value={settings}>
        <RefreshProvider>
          <ActionsProvider>{children}</ActionsProvider>
        </RefreshProvider>
      </SettingsContext.Provider>
    </QueryClientProvider>
  );
}
