import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { config } from '@/lib/env';
import { DashboardProviders } from '@/lib/query/provider';
import { Frame } from './frame';

// Read at request time: the stale threshold is the running hub's, not the build machine's.
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  await connection();
  const { staleSeconds, reapIntervalSeconds } = config();
  return (
    <DashboardProviders settings={{ staleSeconds, reapIntervalSeconds }}>
      <Frame>{children}</Frame>
    </DashboardProviders>
  );
}
