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
export const CHANNEL = 'flatmachines_hub_events';
// NOTIFY payloads must stay under 8000 bytes.
const MAX_PAYLOAD = 7000;
/**
 * How long events gather before they are sent: each send is a round trip and a transaction, so
 * a busy hub sends one every 20 ms instead of one for every request it answers; listeners hear of
 * a change that much later.
 */
const GATHER_MS = 20;

/**
 * One NOTIFY's payload. Item events travel grouped, `[pool, status, [ids]]` per run of one pool
 * and status (a claim of a hundred items is one group, not a hundred events): most NOTIFYs of a
 * busy hub are then one, and each is a round trip and a commit on the database. A listener
 * hands the groups on as item events again, before the envelope's other events.
 */
interface Envelope {
  origin: string;
  events: HubEvent[];
  items?: [pool: string, status: string, ids: string[]][];
}

/** Most ids in one group, so that a group always fits a payload (ids ≤ 16 digits, pool names ≤ 128). */
const GROUP_IDS = 250;

/** Gathers events for GATHER_MS and sends them as few NOTIFYs as fit, in order, in one statement. */
export function createPublisher(pool: pg.Pool, origin: string) {
  let queue: HubEvent[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;

  /**
   * The envelopes' text, each under MAX_PAYLOAD: every event and group is serialized once and
   * the envelope's length added up.
   */
  function payloads(events: HubEvent[]): string[] {
    const groups = new Map<string, { pool: string; status: string; ids: string[] }>();
    // A pool event says "look again": one per pool is enough per send. Worker events carry a
    // status, so each is kept, in order.
    const others: string[] = [];
    const pools = new Set<string>();
    for (const e of events) {
      if (e.type === 'pool' && pools.has(e.name)) continue;
      if (e.type !== 'item') {
        if (e.type === 'pool') pools.add(e.name);
        others.push(JSON.stringify(e));
        continue;
      }
      const key = JSON.stringify([e.pool, e.status]);
      const g = groups.get(key) ?? { pool: e.pool, status: e.status, ids: [] };
      groups.set(key, g);
      g.ids.push(e.id);
    }
    const grouped: string[] = [];
    for (const g of groups.values()) {
      for (let i = 0; i < g.ids.length; i += GROUP_IDS) grouped.push(JSON.stringify([g.pool, g.status, g.ids.slice(i, i + GROUP_IDS)]));
    }
    const out: string[] = [];
    const head = `{"origin":${JSON.stringify(origin)}`;
    let parts = { events: [] as string[], items: [] as string[] };
    let length = head.length + '"events":[],"items":[]}'.length + 1;
    const close = () => {
      const items = parts.items.length ? `,"items":[${parts.items.join(',')}]` : '';
      out.push(`${head},"events":[${parts.events.join(',')}]${items}}`);
      parts = { events: [], items: [] };
      length = head.length + '"events":[],"items":[]}'.length + 1;
    };
    const add = (kind: 'events' | 'items', text: string) => {
      const extra = text.length + 1;
      if (parts.events.length + parts.items.length > 0 && length + extra > MAX_PAYLOAD) close();
      parts[kind].push(text);
      length += extra;
    };
    for (const text of grouped) add('items', text);
    for (const text of others) add('events', text);
    if (parts.events.length + parts.items.length > 0) close();
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
    for (const [pool, status, ids] of env.items ?? []) {
      // `status` is as a publisher of this module wrote it from an item event.
      for (const id of ids) onEvent({ type: 'item', id, pool, status } as HubEvent);
    }
    for (const e of env.events) onEvent(e);
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
