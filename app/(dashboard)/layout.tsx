import { redirect } from 'next/navigation';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { ActionsProvider } from '@/components/Actions';
import { config } from '@/lib/env';
import { DashboardProviders } from '@/lib/query/provider';
import { signInHref } from '@/lib/query/rules';
import { pagePath, pageSession } from '@/lib/server/page-session';
import { Frame } from './frame';

/**
 * Every dashboard page: the session is checked here, on the server, before anything renders. A
 * page opened without one is redirected to sign-in before any of its API calls is made, and the
 * session found is handed to the client, so what depends on the role (buttons, navigation)
 * renders the same in the server's HTML and on the client.
 */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  // Read at request time: the stale threshold is the running hub's, not the build machine's.
  await connection();
  const session = await pageSession();
  if (!session) redirect(signInHref(await pagePath()));
  const { staleSeconds, reapIntervalSeconds } = config();
  return (
    <DashboardProviders settings={{ staleSeconds, reapIntervalSeconds }} session={session}>
      <ActionsProvider>
        <Frame>{children}</Frame>
      </ActionsProvider>
    </DashboardProviders>
  );
}
