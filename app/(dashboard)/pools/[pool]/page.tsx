import { Suspense } from 'react';
import { PoolView } from './pool-view';

export async function generateMetadata({ params }: { params: Promise<{ pool: string }> }) {
  return { title: `${decodeURIComponent((await params).pool)} · flatmachines-hub` };
}

export default async function PoolPage({ params }: { params: Promise<{ pool: string }> }) {
  // PoolView reads the query string (tab, search, page).
  return (
    <Suspense>
      <PoolView pool={decodeURIComponent((await params).pool)} />
    </Suspense>
  );
}
