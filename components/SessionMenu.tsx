import type { Session } from '@/lib/contracts';
import { Badge, Button } from './ui';

/** Who is signed in, with what role, and the way out. An open hub has no one to sign out. */
export function SessionMenu({ session, onSignOut, busy }: { session: Session | undefined; onSignOut: () => void; busy: boolean }) {
  if (!session) return null;
  return (
    <div className="flex flex-wrap items-center gap-2 border-slate-200 text-sm sm:border-l sm:pl-4" data-testid="session-menu">
      <span className="text-slate-500">Signed in as</span>
      <span className="font-medium" data-testid="session-name">
        {session.name}
      </span>
      <Badge tone={session.role === 'operator' ? 'blue' : 'neutral'} title="Role: what this token may do">
        <span data-testid="session-role">{session.role}</span>
      </Badge>
      {session.open ? (
        <Badge tone="amber">open hub</Badge>
      ) : (
        <Button onClick={onSignOut} disabled={busy}>
          {busy ? 'Signing out…' : 'Sign out'}
        </Button>
      )}
    </div>
  );
}

/** Shown on every page of a hub with no token configured. */
export function OpenHubBanner() {
  return (
    <div role="note" data-testid="open-hub" className="border-b border-amber-300 bg-amber-50 px-4 py-2 text-center text-sm text-amber-900">
      <strong>Open hub:</strong> no token configured, anyone who reaches it is an operator (listening on 127.0.0.1 only).
    </div>
  );
}
