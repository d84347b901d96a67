'use client';

import { useState } from 'react';
import { IssuedSecret } from '@/components/IssuedSecret';
import { IssueTokenForm } from '@/components/IssueTokenForm';
import { TokensTable } from '@/components/TokensTable';
import { Card, Empty, ErrorState, Loading } from '@/components/ui';
import type { IssuedToken } from '@/lib/contracts';
import { useConfirmAction } from '@/components/Actions';
import { useIssueToken, useRevokeToken, useTokens } from '@/lib/query/hooks';
import { useCan, useSession } from '@/lib/query/session';

export function TokensView() {
  const session = useSession();
  const can = useCan();
  const allowed = can('tokens');
  const tokens = useTokens(allowed);
  const issue = useIssueToken();
  const revoke = useRevokeToken();
  const ask = useConfirmAction();
  const [issued, setIssued] = useState<IssuedToken | null>(null);

  if (session.data && !allowed) {
    return (
      <Card title="Tokens">
        <Empty>Only an operator can see and issue tokens.</Empty>
      </Card>
    );
  }
  return (
    <>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">Tokens</h1>
        <p className="text-sm text-slate-500">Issued tokens are stored hashed; a secret is shown once, when it is issued.</p>
      </div>
      <Card title="Issue a token">
        <IssueTokenForm
          busy={issue.isPending}
          error={issue.isError ? `Could not issue: ${issue.error.message}` : null}
          onIssue={(body) => issue.mutateAsync(body).then(setIssued)}
        />
        {issued && <IssuedSecret issued={issued} onDone={() => setIssued(null)} />}
      </Card>
      <Card title="Issued tokens">
        {tokens.isPending ? (
          <Loading what="tokens" />
        ) : tokens.isError ? (
          <ErrorState error={tokens.error} onRetry={() => void tokens.refetch()} />
        ) : tokens.data.length === 0 ? (
          <Empty>No token has been issued yet. Tokens from HUB_OPERATOR_TOKEN, HUB_WORKER_TOKEN and HUB_VIEWER_TOKEN are not listed.</Empty>
        ) : (
          <TokensTable
            tokens={tokens.data}
            onRevoke={(t) =>
              ask({
                title: `Revoke ${t.name}`,
                detail: `The ${t.role} token “${t.name}” stops working at once: its holder's next request is refused with 401. This cannot be undone.`,
                expected: 1,
                noun: 'token',
                confirmLabel: 'Revoke token',
                act: () => revoke.mutateAsync(t.id),
              })
            }
          />
        )}
      </Card>
    </>
  );
}
