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

interface Envelope {
  origin: string;
  events: HubEvent[];
}

/** Batches the events of one tick into as few NOTIFYs as fit, sent in order. */
export function createPublisher(pool: pg.Pool, origin: string) {
  let queue: HubEvent[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let scheduled = false;

  /**
   * The envelopes' text, each under MAX_PAYLOAD: every event is serialized once and the
   * envelope's length added up (a batch completion publishes a hundred events at once).
   */
  function payloads(events: HubEvent[]): string[] {
    const out: string[] = [];
    const head = `{"origin":${JSON.stringify(origin)},"events":[`;
    let parts: string[] = [];
    let length = head.length + 2; // the closing `]}`
    const close = () => out.push(`${head}${parts.join(',')}]}`);
    for (const e of events) {
      const text = JSON.stringify(e);
      const extra = text.length + (parts.length ? 1 : 0);
      if (parts.length && length + extra > MAX_PAYLOAD) {
        close();
        parts = [];
        length = head.length + 2;
      }
      length += parts.length ? text.length + 1 : text.length;
      parts.push(text);
    }
    if (parts.length) close();
    return out;
  }

  function flush() {
    scheduled = false;
    const events = queue;
    queue = [];
    flushing = flushing.then(async () => {
      for (const payload of payloads(events)) {
        // While the database is down the events are dropped: nobody could hear them anyway.
        await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]).catch(() => {});
      }
    });
  }

  return {
    publish(event: HubEvent) {
      queue.push(event);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    /** Resolves once everything published so far has been sent (or given up). */
    async drain() {
      if (scheduled) flush();
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
