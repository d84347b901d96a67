/**
 * What the route kit reads of a request and what it answers, without the web Request/Response
 * objects. Next.js hands route handlers a web Request and wants a Response; the hub's own server
 * (lib/server/serve.ts) reads the socket itself, and building those objects for it would cost
 * ~0.15 ms a request — more than a claim. A web Request is a HubRequest as it is.
 */
export interface HubRequest {
  readonly method: string;
  /** Absolute: `http://host/path?query`. */
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  /** Aborts when the client goes away (the event stream listens to it). */
  readonly signal: AbortSignal;
  /** The client's address, where the server knows it (failed token checks are counted by it). */
  readonly remoteAddress?: string | undefined;
}

/** A request whose body the server has already read: at most the body limit plus one byte. */
export interface BufferedRequest extends HubRequest {
  readonly rawBody: Uint8Array | null;
}

export const isBuffered = (req: HubRequest): req is BufferedRequest => 'rawBody' in req;

/** An answer with a text body (or none). */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

/** A JSON answer that no cache keeps. */
export const json = (data: unknown, status = 200, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(data),
});

/** An answer without a body (204 unless told). */
export const empty = (status = 204, headers: Record<string, string> = {}): Reply => ({ status, headers, body: null });

/** The web Response of a Reply, for Next.js. */
export const toResponse = (reply: Reply | Response): Response =>
  reply instanceof Response ? reply : new Response(reply.body, { status: reply.status, headers: reply.headers });
