'use client';

import { useEffect, useRef } from 'react';
import { plural } from './format';
import { Button } from './ui';

export interface ConfirmDialogProps {
  open: boolean;
  busy: boolean;
  title: string;
  detail: string;
  expected: number;
  /** What is counted, singular: "item", "worker". */
  noun: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}

/** A modal confirmation (native <dialog>: focus is trapped, Escape cancels). */
export function ConfirmDialog(p: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (p.open && !d.open) d.showModal();
    if (!p.open && d.open) d.close();
  }, [p.open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby="confirm-title"
      onCancel={(e) => {
        e.preventDefault();
        p.onCancel();
      }}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40"
    >
      <div className="space-y-3 p-5">
        <h2 id="confirm-title" className="text-lg font-semibold">
          {p.title}
        </h2>
        <p className="text-sm text-slate-700">{p.detail}</p>
        <p className="text-sm font-medium">This will change {plural(p.expected, p.noun)}.</p>
        <div className="flex justify-end gap-2 pt-2">
          <Button onClick={p.onCancel} disabled={p.busy} autoFocus>
            Cancel
          </Button>
          <Button kind="primary" onClick={p.onConfirm} disabled={p.busy}>
            {p.busy ? 'Working…' : p.confirmLabel}
          </Button>
        </div>
      </div>
    </dialog>
  );
}
