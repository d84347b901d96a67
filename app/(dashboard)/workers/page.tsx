import { Suspense } from 'react';
import { WorkersView } from './workers-view';

export const metadata = { title: 'Workers · flatmachines-hub' };

export default function WorkersPage() {
  // WorkersView reads its filter from the query string.
  return (
    <Suspense>
      <WorkersView />
    </Suspense>
  );
}
