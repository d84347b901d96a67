import type { ErrorFilter, ItemFilter } from '@/db';
import type { PoolBulkBody } from '@/lib/contracts';
import type { z } from 'zod';
import { problem, ProblemError } from './problem';
import { isBuffered, type HubRequest } from './reply';

/** "items[2].data: is required" — names the field, never dumps zod's internals. */
function describe(error: z.ZodError, where: string): string {
  const issue = error.issues[0];
  if (!issue) return `invalid ${where}`;
  const path = issue.path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
  return path ? `${path}: ${issue.message}` : `${where}: ${issue.message}`;
}

export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ProblemError(problem(400, 'invalid-request', describe(parsed.error, where)));
  return parsed.data;
}

const isJsonType = (ct: string) => /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(ct.trim());

/**
 * Reads a JSON body of at most `maxBytes` and validates it. An empty body reads as `{}` when
 * `optional`, so routes whose every field is optional take a bare POST.
 */
export async function readBody<S extends z.ZodType>(
  req: HubRequest,
  schema: S,
  limits: BodyLimits,
  opts: { optional?: boolean } = {},
): Promise<z.output<S>> {
  const { maxBytes, maxDepth } = limits;
  const contentType = req.headers.get('content-type');
  if (contentType !== null && !isJsonType(contentType)) {
    throw new ProblemError(problem(415, 'unsupported-media-type', `content-type must be application/json, not ${contentType}`));
  }
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new ProblemError(tooLarge(maxBytes));
  const decoded = await readLimited(req, maxBytes);
  // A leading byte-order mark is tolerated before JSON (RFC 8259 §8.1), but a body that is only
  // a BOM is not JSON at all, and is not the empty body either.
  const bom = decoded.startsWith('\ufeff');
  const text = bom ? decoded.slice(1) : decoded;
  if (JSON_WHITESPACE.test(text)) {
    if (bom) throw new ProblemError(problem(400, 'invalid-json', 'body is a byte-order mark with no JSON after it'));
    if (opts.optional) return validate(schema, {}, 'body');
    throw new ProblemError(problem(400, 'invalid-request', 'body: a JSON object is required'));
  }
  if (contentType === null) {
    throw new ProblemError(problem(415, 'unsupported-media-type', 'content-type must be application/json'));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProblemError(problem(400, 'invalid-json', 'body is not valid JSON'));
  }
  if (depthExceeds(value, maxDepth)) {
    throw new ProblemError(problem(400, 'json-too-deep', `body nests arrays and objects deeper than ${maxDepth} levels`));
  }
  // Only a \uD8xx–\uDFxx escape can make a lone surrogate (the UTF-8 decoder refuses the bytes),
  // so the walk runs only for bodies that spell one out.
  if (SURROGATE_ESCAPE.test(text)) {
    const where = loneSurrogateAt(value, 'body');
    if (where) throw new ProblemError(problem(400, 'invalid-request', `${where}: holds a lone UTF-16 surrogate, which is not text`));
  }
  const body = validate(schema, value, 'body');
  checkConfiguredLimits(body, limits);
  return body;
}

export interface BodyLimits {
  maxBytes: number;
  maxDepth: number;
  /** HUB_MAX_BATCH: most `items` in one body, and the largest claim `limit`. */
  maxBatch: number;
  /** HUB_MAX_NAME_LENGTH: longest `worker_id` / `pool_id` in a body. */
  maxNameLength: number;
}

/**
 * The operator's own, tighter bounds on top of the contract's (which the schemas enforce):
 * batch sizes and name lengths, for the top-level fields every route names alike.
 */
function checkConfiguredLimits(body: unknown, limits: BodyLimits) {
  if (typeof body !== 'object' || body === null) return;
  const b = body as Record<string, unknown>;
  const bad = (field: string, why: string) => {
    throw new ProblemError(problem(400, 'invalid-request', `${field}: ${why}`));
  };
  if (Array.isArray(b.items) && b.items.length > limits.maxBatch) bad('items', `at most ${limits.maxBatch} in one request on this hub`);
  if (typeof b.limit === 'number' && b.limit > limits.maxBatch) bad('limit', `at most ${limits.maxBatch} on this hub`);
  for (const field of ['worker_id', 'pool_id']) {
    const v = b[field];
    if (typeof v === 'string' && v.length > limits.maxNameLength) bad(field, `at most ${limits.maxNameLength} characters on this hub`);
  }
}

/** A path parameter that is a name, checked against HUB_MAX_NAME_LENGTH (the schema has checked the rest). */
export function checkNameLength(name: string, value: unknown, maxNameLength: number) {
  if (typeof value === 'string' && value.length > maxNameLength) {
    throw new ProblemError(problem(400, 'invalid-request', `${name}: at most ${maxNameLength} characters on this hub`));
  }
}

const JSON_WHITESPACE = /^[ \t\n\r]*$/;
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * The path of the first string (value or key) in `value` holding a lone surrogate, or null.
 * PostgreSQL cannot store one and SQLite would keep it mangled, so both refuse it here alike.
 */
function loneSurrogateAt(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.isWellFormed() ? null : path;
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = loneSurrogateAt(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  for (const [key, child] of Object.entries(value)) {
    if (!key.isWellFormed()) return `${path} (a key)`;
    const found = loneSurrogateAt(child, path === 'body' ? key : `${path}.${key}`);
    if (found) return found;
  }
  return null;
}

/** Whether `value` nests deeper than `max` levels; iterative, so a hostile body cannot overflow the stack. */
function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

const tooLarge = (maxBytes: number) => problem(413, 'body-too-large', `request body is larger than ${maxBytes} bytes`);

async function readLimited(req: HubRequest, maxBytes: number): Promise<string> {
  const bytes = isBuffered(req) ? req.rawBody : await readStream(req as Request, maxBytes);
  if (!bytes) return '';
  if (bytes.byteLength > maxBytes) throw new ProblemError(tooLarge(maxBytes));
  try {
    // ignoreBOM keeps a leading BOM in the text, so readBody can tell a BOM-only body from none.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new ProblemError(problem(400, 'invalid-json', 'body is not valid UTF-8'));
  }
}

/** A web Request's body, read no further than one byte past `maxBytes`. */
async function readStream(req: Request, maxBytes: number): Promise<Uint8Array | null> {
  if (!req.body) return null;
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    chunks.push(value);
    if (size > maxBytes) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks);
}

/** Validates the query string (repeated keys: the last one wins). */
export function readQuery<S extends z.ZodType>(req: HubRequest, schema: S): z.output<S> {
  return validate(schema, Object.fromEntries(new URL(req.url).searchParams), 'query');
}

/**
 * A bulk action's filter (PoolBulkBody) as the store takes it: nothing (every item in the status),
 * an exact `error` text alone, or an ItemFilter of every filter given.
 */
export function bulkFilter(b: Omit<PoolBulkBody, 'status'>): ErrorFilter | undefined {
  const f: ItemFilter = {
    ...(b.error !== undefined && { error: b.error }),
    ...(b.fingerprint !== undefined && { fingerprint: b.fingerprint }),
    ...(b.worker_id !== undefined && { workerId: b.worker_id }),
    ...(b.older_than_seconds !== undefined && { olderThanSeconds: b.older_than_seconds }),
    ...(b.ids !== undefined && { ids: b.ids }),
  };
  const given = Object.keys(f);
  if (given.length === 0) return undefined;
  return given.length === 1 && f.error !== undefined ? f.error : f;
}
