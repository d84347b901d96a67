'use client';

import { usePathname } from 'next/navigation';
import { useState, type ReactNode } from 'react';
import { RefreshPauser } from '@/components/RefreshPauser';
import { OpenHubBanner, SessionMenu } from '@/components/SessionMenu';
import { Shell, type NavLink } from '@/components/Shell';
import { useLiveEvents } from '@/lib/query/live';
import { REFRESH_CHOICES, useRefresh } from '@/lib/query/refresh';
import { signOut, useCan, useSession } from '@/lib/query/session';

export function Frame({ children }: { children: ReactNode }) {
  const refresh = useRefresh();
  const live = useLiveEvents(refresh.paused);
  const session = useSession();
  const can = useCan();
  const [leaving, setLeaving] = useState(false);
  const nav: NavLink[] = [
    { href: '/', label: 'Overview' },
    { href: '/workers', label: 'Workers' },
    ...(can('audit') ? [{ href: '/audit', label: 'Audit' }] : []),
    ...(can('tokens') ? [{ href: '/tokens', label: 'Tokens' }] : []),
    { href: '/api-docs', label: 'API' },
  ];
  return (
    <Shell
      pathname={usePathname()}
      nav={nav}
      banner={session.data?.open ? <OpenHubBanner /> : undefined}
      account={
        <SessionMenu
          session={session.data}
          busy={leaving}
          onSignOut={() => {
            setLeaving(true);
            // A full load: nothing of this session stays in memory.
            void signOut().finally(() => window.location.assign('/signin'));
          }}
        />
      }
      controls={
        <RefreshPauser
          intervalMs={refresh.intervalMs}
          choices={REFRESH_CHOICES}
          paused={refresh.paused}
          live={live}
          onIntervalChange={refresh.setIntervalMs}
          onPausedChange={refresh.setPaused}
        />
      }
    >
      {children}
    </Shell>
  );
}
