/**
 * Request headers the hub writes for its own pages (over whatever a client sent by these names).
 * Kept apart from the modules that read them, so proxy.ts and the server import no database code.
 */

/**
 * The client's address, as the hub's server (lib/server/serve.ts) writes it on every request it
 * hands to Next.js. Without it (`next dev`), page loads are not throttled, as the API's handlers
 * are not there either.
 */
export const PEER_HEADER = 'x-hub-peer';
/** The path and query of the page asked for, as proxy.ts writes it: where sign-in returns to. */
export const PATH_HEADER = 'x-hub-path';
