import pg from 'pg';
import type { HubEvent } from '../types';

/**
 * Live events across instances. Each store publishes its changes after they commit with
 * pg_notify on one channel, tagged with its own random origin, and LISTENs on that channel on
 * a dedicated connection: events from other origins are handed to `onChange`, its own are not
 * (those were told locally already, at once). NOTIFY reaches only sessions listening at the time,
 * so events made while an instance's listener is reconnecting are missed; they are refresh hints
 * (the dashboard also polls), not a log.
 */
const CHANNEL = 'flatmachines_hub_events';
// NOTIFY payloads must stay under 8000 bytes.
const MAX_PAYLOAD = 7000;
/**
 * How long events gather before they are sent: each send is a round trip and a transaction, so
 * a busy hub sends one every 20 ms instead of one for every request it answers; listeners hear of
 * a change that much later.
 */
const GATHER_MS = 20;

/**
 * One NOTIFY's payload. Runs of item events of one pool and status travel grouped, as
 * `[at, pool, status, [ids]]` in `items` (a claim of a hundred items is one group, not a hundred
 * events), where `at` counts the entries of `events` that come before the run: a listener hands
 * every event on in the order it was published (long-poll wake-ups depend on it: lib/server/
 * waiters.ts), and most NOTIFYs of a busy hub are one. An older instance reads `events` only.
 */
interface Envelope {
  origin: string;
  events: HubEvent[];
  items?: [at: number, pool: string, status: string, ids: string[]][];
}

/** Most ids in one group, so that a group always fits a payload (ids ≤ 16 digits, pool names ≤ 128). */
const GROUP_IDS = 250;

/** Gathers events for GATHER_MS and sends them as few NOTIFYs as fit, in order, in one statement. */
export function createPublisher(pool: pg.Pool, origin: string) {
  let queue: HubEvent[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;

  /**
   * The envelopes' text, each under MAX_PAYLOAD, in publishing order: every event and group is
   * serialized once and the envelope's length added up.
   */
  function payloads(events: HubEvent[]): string[] {
    const out: string[] = [];
    const head = `{"origin":${JSON.stringify(origin)},"events":[`;
    const empty = () => ({ events: [] as string[], items: [] as string[], length: head.length + '],"items":[]}'.length });
    let env = empty();
    const close = () => {
      out.push(`${head}${env.events.join(',')}]${env.items.length ? `,"items":[${env.items.join(',')}]` : ''}}`);
      env = empty();
    };
    const add = (kind: 'events' | 'items', text: () => string) => {
      let t = text();
      if (env.events.length + env.items.length > 0 && env.length + t.length + 1 > MAX_PAYLOAD) {
        close();
        t = text(); // a group's position counts the events of its own envelope
      }
      env[kind].push(t);
      env.length += t.length + 1;
    };
    for (let i = 0; i < events.length; ) {
      const e = events[i]!;
      if (e.type !== 'item') {
        add('events', () => JSON.stringify(e));
        i++;
        continue;
      }
      const ids: string[] = [];
      for (; i < events.length && ids.length < GROUP_IDS; i++) {
        const next = events[i]!;
        if (next.type !== 'item' || next.pool !== e.pool || next.status !== e.status) break;
        ids.push(next.id);
      }
      add('items', () => JSON.stringify([env.events.length, e.pool, e.status, ids]));
    }
    if (env.events.length + env.items.length > 0) close();
    return out;
  }

  function flush() {
    if (timer) clearTimeout(timer);
    timer = null;
    const events = queue;
    queue = [];
    if (events.length === 0) return;
    flushing = flushing.then(async () => {
      // All of them in one statement: one round trip, one transaction, notifications in order.
      const sent = payloads(events);
      // While the database is down the events are dropped: nobody could hear them anyway.
      await pool.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS t(p, n) ORDER BY n', [CHANNEL, sent]).catch(() => {});
    });
  }

  return {
    publish(event: HubEvent) {
      queue.push(event);
      timer ??= setTimeout(flush, GATHER_MS);
    },
    /** Resolves once everything published so far has been sent (or given up). */
    async drain() {
      if (timer) flush();
      await flushing;
    },
  };
}

/**
 * LISTENs on a connection of its own and reconnects by itself, backing off up to 5 s, whenever
 * that connection ends (a server restart) or cannot be made.
 */
export function createListener(connectionString: string, origin: string, onEvent: (e: HubEvent) => void) {
  let client: pg.Client | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let delay = 250;

  function retry() {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, 5000);
  }

  function deliver(payload: string | undefined) {
    let env: Envelope;
    try {
      env = JSON.parse(payload ?? '') as Envelope;
    } catch {
      return; // not ours
    }
    if (env.origin === origin || !Array.isArray(env.events)) return;
    const runs = env.items ?? [];
    let r = 0;
    const itemsAt = (at: number) => {
      for (; r < runs.length && runs[r]![0] <= at; r++) {
        const [, pool, status, ids] = runs[r]!;
        // `status` is as a publisher of this module wrote it from an item event.
        for (const id of ids) onEvent({ type: 'item', id, pool, status } as HubEvent);
      }
    };
    env.events.forEach((e, at) => {
      itemsAt(at);
      onEvent(e);
    });
    itemsAt(Infinity);
  }

  async function connect() {
    if (closed) return;
    const c = new pg.Client({ connectionString, keepAlive: true, application_name: 'flatmachines-hub-listener' });
    c.on('error', () => {}); // 'end' follows; reconnecting is done there
    c.on('notification', (msg) => msg.channel === CHANNEL && deliver(msg.payload));
    c.on('end', () => {
      // Only the live connection's end calls for a new one; a failed attempt retries below.
      if (client !== c) return;
      client = null;
      retry();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}`);
      if (closed) return void c.end().catch(() => {});
      client = c;
      delay = 250;
    } catch {
      c.end().catch(() => {});
      retry();
    }
  }

  void connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => {});
    },
  };
}
