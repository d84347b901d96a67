import { Suspense } from 'react';
import { AuditView } from './audit-view';

export const metadata = { title: 'Audit · flatmachines-hub' };

export default function AuditPage() {
  // AuditView reads its page cursor from the query string.
  return (
    <Suspense>
      <AuditView />
    </Suspense>
  );
}
