'use client';

import { createContext, useCallback, useContext, useRef, useState, type ReactNode } from 'react';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { Toasts, type Toast } from '@/components/Toasts';

/** A destructive action as the operator is asked about it. */
export interface ActionRequest {
  title: string;
  /** What will happen, in a sentence. */
  detail: string;
  /** How many it will change, as known now. */
  expected: number;
  /** What it changes: `item` unless said otherwise (e.g. `worker`). */
  noun?: string;
  confirmLabel: string;
  /** Runs the action; resolves to how many it did change. */
  act: () => Promise<number>;
}

const ActionsContext = createContext<((req: ActionRequest) => void) | null>(null);
const TOAST_MS = 6_000;

/**
 * Confirm, act, report: every destructive action goes through here, so each one asks first
 * (showing how many it will change) and ends with a toast "n of m changed" or the error.
 */
export function ActionsProvider({ children }: { children: ReactNode }) {
  const [request, setRequest] = useState<ActionRequest | null>(null);
  const [busy, setBusy] = useState(false);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);

  const toast = useCallback((t: Omit<Toast, 'id'>) => {
    const id = nextId.current++;
    setToasts((ts) => [...ts, { ...t, id }]);
    setTimeout(() => setToasts((ts) => ts.filter((x) => x.id !== id)), TOAST_MS);
  }, []);

  const confirm = async () => {
    if (!request) return;
    setBusy(true);
    try {
      const n = await request.act();
      toast({ kind: n === request.expected ? 'success' : 'warning', text: `${request.title}: ${n} of ${request.expected} changed` });
    } catch (err) {
      toast({ kind: 'error', text: `${request.title} failed: ${(err as Error).message}` });
    } finally {
      setBusy(false);
      setRequest(null);
    }
  };

  return (
    <ActionsContext.Provider value={setRequest}>
      {children}
      <ConfirmDialog
        open={request !== null}
        busy={busy}
        title={request?.title ?? ''}
        detail={request?.detail ?? ''}
        expected={request?.expected ?? 0}
        noun={request?.noun ?? 'item'}
        confirmLabel={request?.confirmLabel ?? 'Confirm'}
        onConfirm={confirm}
        onCancel={() => !busy && setRequest(null)}
      />
      <Toasts toasts={toasts} onDismiss={(id) => setToasts((ts) => ts.filter((t) => t.id !== id))} />
    </ActionsContext.Provider>
  );
}

/** Returns `ask(request)`: opens the confirmation for a destructive action. */
export function useConfirmAction(): (req: ActionRequest) => void {
  const ask = useContext(ActionsContext);
  if (!ask) throw new Error('useConfirmAction needs an ActionsProvider');
  return ask;
}
