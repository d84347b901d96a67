import type { z } from 'zod';
import { problem, ProblemError } from './problem';

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
  req: Request,
  schema: S,
  limits: { maxBytes: number; maxDepth: number },
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
  return validate(schema, value, 'body');
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

async function readLimited(req: Request, maxBytes: number): Promise<string> {
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new ProblemError(tooLarge(maxBytes));
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new ProblemError(problem(400, 'invalid-json', 'body is not valid UTF-8'));
  }
}

/** Validates the query string (repeated keys: the last one wins). */
export function readQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  return validate(schema, Object.fromEntries(new URL(req.url).searchParams), 'query');
}
