'use client';

import { linkButton, PageNotice } from '@/components/PageNotice';
import { Button } from '@/components/ui';

/**
 * A page that failed while it was rendered (its data is fetched in the browser and fails in place,
 * with its own retry: this is for the rest, e.g. the database away while the server checked the
 * session). The server logged the error; in production the browser gets only its digest.
 */
export default function PageError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error && 'digest' in error && typeof error.digest === 'string' ? error.digest : null;
  return (
    <PageNotice
      title="This page could not be shown"
      actions={
        <>
          <Button kind="primary" onClick={() => retry()}>
            Try again
          </Button>
          {/* A full load: whatever failed starts afresh. */}
          <a href="/" className={linkButton.default}>
            Go to the overview
          </a>
        </>
      }
    >
      <p role="alert">Something went wrong on the hub while it made this page. Trying again often helps when the database was briefly away.</p>
      {digest && (
        <p>
          The hub&apos;s log names this error <code className="rounded bg-slate-100 px-1 font-mono text-xs text-slate-800">{digest}</code>.
        </p>
      )}
    </PageNotice>
  );
}
