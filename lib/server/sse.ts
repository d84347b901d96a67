import type { HubEvent } from '@/db';
import type { Hub } from './hub';

/** How often a comment line keeps idle connections (and proxies) from closing the stream. */
const KEEPALIVE_MS = 15_000;

// Open streams, process-wide (route bundles each load this module): closed on SIGTERM/SIGINT,
// or the server would wait forever for them while shutting down.
const g = globalThis as typeof globalThis & { __hubSseStreams?: Set<() => void> };
function openStreams(): Set<() => void> {
  if (!g.__hubSseStreams) {
    const streams = new Set<() => void>();
    g.__hubSseStreams = streams;
    const closeAll = (signal: NodeJS.Signals) => {
      for (const close of [...streams]) close();
      // Listening replaced the default exit; if no one else handles the signal, exit as it would.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.once('SIGTERM', closeAll);
    process.once('SIGINT', closeAll);
  }
  return g.__hubSseStreams;
}

/** One Server-Sent Event: named by the change's type, the change itself as JSON data. */
const formatEvent = (e: HubEvent) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

// Every open stream sends the same bytes for one change: encoded once, not once per stream.
const encoder = new TextEncoder();
const encoded = new WeakMap<HubEvent, Uint8Array>();
function bytesOf(e: HubEvent): Uint8Array {
  let bytes = encoded.get(e);
  if (!bytes) encoded.set(e, (bytes = encoder.encode(formatEvent(e))));
  return bytes;
}

/** The stream was closed by the hub: its client stopped reading, or its token was revoked. */
class StreamClosed extends Error {}

export interface StreamOptions {
  /**
   * Most bytes that may wait for a client that does not read (HUB_SSE_MAX_QUEUED_BYTES). Past it
   * the stream is closed; an EventSource reconnects and the dashboard refetches, so nothing is
   * lost but the backlog, which would only have grown.
   */
  maxQueuedBytes: number;
  /**
   * Whether the token that opened the stream still lets it in; asked at every keep-alive and
   * whenever `recheck` fires. The stream closes at the first `false`.
   */
  stillAllowed?: () => Promise<boolean>;
}

/**
 * A `text/event-stream` response that forwards every change the hub commits from now on, until
 * the client goes away (`signal` aborts), stops reading (see `maxQueuedBytes`), or loses its token.
 * No replay: a client that reconnects refetches.
 */
export function eventStream(events: Hub['events'], signal: AbortSignal, opts: StreamOptions): Response {
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let ended = false;
        const end = (why?: string) => {
          if (ended) return;
          ended = true;
          stop();
          try {
            if (why) controller.error(new StreamClosed(why));
            else controller.close();
          } catch {
            // already closed
          }
        };
        const send = (bytes: Uint8Array) => {
          if (ended) return;
          try {
            controller.enqueue(bytes);
          } catch {
            return end(); // the stream is already closed
          }
          // desiredSize is the bound less what waits unread; erroring the stream drops the backlog.
          if ((controller.desiredSize ?? 0) < 0) end(`more than ${opts.maxQueuedBytes} bytes of events waited for a client that does not read`);
        };
        const recheck = () => {
          void opts.stillAllowed?.().then(
            (ok) => ok || end('the token that opened this stream was revoked'),
            () => {}, // the database is away: keep streaming, ask again at the next keep-alive
          );
        };
        const onChange = (e: HubEvent) => send(bytesOf(e));
        const timer = setInterval(() => {
          send(encoder.encode(`: keep-alive ${new Date().toISOString()}\n\n`));
          recheck();
        }, KEEPALIVE_MS);
        stop = () => {
          clearInterval(timer);
          events.off('change', onChange);
          events.off('revoked', recheck);
          signal.removeEventListener('abort', onAbort);
          openStreams().delete(onAbort);
        };
        const onAbort = () => end();
        events.on('change', onChange);
        if (opts.stillAllowed) events.on('revoked', recheck);
        signal.addEventListener('abort', onAbort);
        openStreams().add(onAbort);
        // Tells EventSource how soon to reconnect, and flushes the headers at once.
        send(encoder.encode(': connected\nretry: 2000\n\n'));
      },
      cancel() {
        stop();
      },
    },
    { highWaterMark: opts.maxQueuedBytes, size: (chunk) => chunk.byteLength },
  );
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      // no-transform: keeps a compressing proxy in front from buffering the stream.
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
}
