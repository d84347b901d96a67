'use client';

import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { RefreshPauser } from '@/components/RefreshPauser';
import { Shell } from '@/components/Shell';
import { useLiveEvents } from '@/lib/query/live';
import { REFRESH_CHOICES, useRefresh } from '@/lib/query/refresh';

export function Frame({ children }: { children: ReactNode }) {
  const refresh = useRefresh();
  const live = useLiveEvents(refresh.paused);
  return (
    <Shell
      pathname={usePathname()}
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
