import Link from 'next/link';
import { linkButton, PageNotice } from '@/components/PageNotice';

export const metadata = { title: 'Not found · flatmachines-hub' };

/** Any address that is no page of the hub (answered 404), and any `notFound()` below. */
export default function NotFound() {
  return (
    <PageNotice
      title="Page not found"
      actions={
        <Link href="/" className={linkButton.primary}>
          Go to the overview
        </Link>
      }
    >
      <p>The hub has no page at this address. Pools, workers and items are reached from the overview.</p>
    </PageNotice>
  );
}
