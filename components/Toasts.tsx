'use client';

export interface Toast {
  id: number;
  kind: 'success' | 'warning' | 'error';
  text: string;
}

const KIND = {
  success: 'border-emerald-300 bg-emerald-50 text-emerald-900',
  warning: 'border-amber-300 bg-amber-50 text-amber-900',
  error: 'border-red-300 bg-red-50 text-red-900',
} as const;

/** Outcome notices, announced to screen readers; each can be dismissed. */
export function Toasts({ toasts, onDismiss }: { toasts: Toast[]; onDismiss: (id: number) => void }) {
  return (
    <div aria-live="polite" className="fixed right-3 bottom-3 left-3 z-50 flex flex-col items-end gap-2 sm:left-auto">
      {toasts.map((t) => (
        <div key={t.id} role={t.kind === 'error' ? 'alert' : 'status'} className={`flex max-w-md items-start gap-3 rounded border px-3 py-2 text-sm shadow ${KIND[t.kind]}`}>
          <span className="flex-1">{t.text}</span>
          <button type="button" aria-label="Dismiss" onClick={() => onDismiss(t.id)} className="text-current/60 hover:text-current">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
