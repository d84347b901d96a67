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
  const text = await readLimited(req, maxBytes);
  if (text.trim() === '') {
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
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
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
