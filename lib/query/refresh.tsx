'use client';

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

/** Intervals the operator can pick, in milliseconds. */
export const REFRESH_CHOICES = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000] as const;
const REFRESH_DEFAULT = 5_000;
const STORAGE_KEY = 'flatmachines-hub.refresh';

export interface RefreshSetting {
  intervalMs: number;
  paused: boolean;
  setIntervalMs: (ms: number) => void;
  setPaused: (paused: boolean) => void;
  /** What every query passes as `refetchInterval`: false while paused. */
  refetchInterval: number | false;
}

const RefreshContext = createContext<RefreshSetting | null>(null);

/**
 * The one refresh setting: one interval drives every query's polling, and pausing stops both
 * polling and live-event refreshes. Remembered in localStorage across visits.
 */
export function RefreshProvider({ children }: { children: ReactNode }) {
  const [intervalMs, setIntervalState] = useState<number>(REFRESH_DEFAULT);
  const [paused, setPausedState] = useState(false);

  useEffect(() => {
    try {
      const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as { intervalMs?: number; paused?: boolean } | null;
      if (saved && REFRESH_CHOICES.includes(saved.intervalMs as (typeof REFRESH_CHOICES)[number])) setIntervalState(saved.intervalMs!);
      if (saved?.paused === true) setPausedState(true);
    } catch {
      // a corrupt or blocked localStorage just means defaults
    }
  }, []);

  const save = useCallback((next: { intervalMs: number; paused: boolean }) => {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    } catch {
      // not remembered; still applied
    }
  }, []);

  const value = useMemo<RefreshSetting>(
    () => ({
      intervalMs,
      paused,
      setIntervalMs: (ms) => {
        setIntervalState(ms);
        save({ intervalMs: ms, paused });
      },
      setPaused: (p) => {
        setPausedState(p);
        save({ intervalMs, paused: p });
      },
      refetchInterval: paused ? false : intervalMs,
    }),
    [intervalMs, paused, save],
  );
  return <RefreshContext.Provider value={value}>{children}</RefreshContext.Provider>;
}

export function useRefresh(): RefreshSetting {
  const ctx = useContext(RefreshContext);
  if (!ctx) throw new Error('useRefresh needs a RefreshProvider');
  return ctx;
}
