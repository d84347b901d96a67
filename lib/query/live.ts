'use client';

import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { LiveEvent } from '@/lib/contracts';
import { API } from './fetch';
import { queryKeys } from './keys';

export type LiveState = 'connecting' | 'live' | 'offline';

/** Which cached views a change can affect. */
export function keysFor(e: LiveEvent): QueryKey[] {
  switch (e.type) {
    case 'item':
      return [queryKeys.item(e.id), queryKeys.pool(e.pool), queryKeys.pools(), queryKeys.workers(), queryKeys.throughput(60)];
    case 'worker':
      // A worker's status shows on the workers page, the overview's warnings and pool holders.
      return [queryKeys.workers(), queryKeys.anyPool()];
    case 'pool':
      // Bulk actions send one pool event for many items: refresh the open item views too.
      return [queryKeys.pool(e.name), queryKeys.pools(), queryKeys.items(), queryKeys.throughput(60)];
  }
}

// Coalesce a burst (a claim of 100 items is 100 events) into one round of refetches.
const COALESCE_MS = 150;

/**
 * Listens to `GET /api/v1/events` and refreshes the affected queries at once. While `paused`,
 * changes are remembered and applied on resume. EventSource reconnects by itself; polling on
 * the refresh interval covers the gaps.
 */
export function useLiveEvents(paused: boolean): LiveState {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  const pending = useRef(new Map<string, QueryKey>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const pausedRef = useRef(paused);

  useEffect(() => {
    const flush = () => {
      timer.current = null;
      if (pausedRef.current) return;
      const keys = [...pending.current.values()];
      pending.current.clear();
      for (const queryKey of keys) void client.invalidateQueries({ queryKey });
    };
    const source = new EventSource(`${API}/events`);
    const onChange = (msg: MessageEvent<string>) => {
      let e: LiveEvent;
      try {
        e = LiveEvent.parse(JSON.parse(msg.data));
      } catch {
        return; // not a change this dashboard knows: the next poll covers it
      }
      for (const k of keysFor(e)) pending.current.set(JSON.stringify(k), k);
      timer.current ??= setTimeout(flush, COALESCE_MS);
    };
    for (const name of ['item', 'worker', 'pool']) source.addEventListener(name, onChange as EventListener);
    source.onopen = () => setState('live');
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    return () => {
      source.close();
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [client]);

  useEffect(() => {
    pausedRef.current = paused;
    if (!paused && pending.current.size > 0) {
      const keys = [...pending.current.values()];
      pending.current.clear();
      for (const queryKey of keys) void client.invalidateQueries({ queryKey });
    }
  }, [paused, client]);

  return state;
}
