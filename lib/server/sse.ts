import type { HubEvent } from '@/db';
import type { Hub } from './hub';

/** How often a comment line keeps idle connections (and proxies) from closing the stream. */
export const KEEPALIVE_MS = 15_000;

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
export const formatEvent = (e: HubEvent) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

/**
 * A `text/event-stream` response that forwards every change the hub commits from now on, until
 * the client goes away (`signal` aborts). No replay: a client that reconnects refetches.
 */
export function eventStream(events: Hub['events'], signal: AbortSignal): Response {
  const encoder = new TextEncoder();
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop(); // the stream is already closed
        }
      };
      const onChange = (e: HubEvent) => send(formatEvent(e));
      const timer = setInterval(() => send(`: keep-alive ${new Date().toISOString()}\n\n`), KEEPALIVE_MS);
      stop = () => {
        clearInterval(timer);
        events.off('change', onChange);
        signal.removeEventListener('abort', onAbort);
        openStreams().delete(onAbort);
      };
      const onAbort = () => {
        stop();
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      events.on('change', onChange);
      signal.addEventListener('abort', onAbort);
      openStreams().add(onAbort);
      // Tells EventSource how soon to reconnect, and flushes the headers at once.
      send(': connected\nretry: 2000\n\n');
    },
    cancel() {
      stop();
    },
  });
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
