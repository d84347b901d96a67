import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiDocument } from '@/lib/openapi/document';

/**
 * Checks an answer of the hub against its OpenAPI document (GET /api/v1/openapi.json): the status
 * must be one the operation lists, the content type the listed one, the body valid against the
 * listed schema (problems included, down to their `code`). The API tests' client calls this on
 * every answer, so a route that drifts from the document fails the tests that exercise it.
 */

type Json = Record<string, any>;
const doc = openApiDocument() as unknown as Json;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

interface Template {
  method: string;
  path: string;
  pattern: RegExp;
  params: number;
}
const templates: Template[] = Object.entries(doc.paths as Json)
  .flatMap(([path, item]) =>
    Object.keys(item).map((method) => ({
      method: method.toUpperCase(),
      path,
      pattern: new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      params: (path.match(/\{/g) ?? []).length,
    })),
  )
  // `/items/complete` before `/items/{id}`: static segments win, as in the router.
  .sort((a, b) => a.params - b.params);

const validators = new Map<string, ValidateFunction>();
function validatorFor(key: string, schema: Json): ValidateFunction {
  let v = validators.get(key);
  if (!v) {
    // The components travel with each schema so that its `#/components/...` refs resolve.
    v = ajv.compile({ ...schema, components: doc.components });
    validators.set(key, v);
  }
  return v;
}

const problemSchema = { $ref: '#/components/schemas/Problem' };

// Compiled up front, while the test file loads: compiling on a first answer would put tens of
// milliseconds between a test's requests, and tests that race the reaper cannot afford them.
validatorFor('problem', problemSchema);
for (const t of templates) {
  for (const [status, response] of Object.entries(doc.paths[t.path][t.method.toLowerCase()].responses as Json)) {
    const media = Object.values((response as Json).content ?? {})[0] as Json | undefined;
    if (media?.schema) validatorFor(`${t.method} ${t.path} ${status}`, media.schema);
  }
}

/** Throws, saying what differs, unless the answer is one the document describes. */
export function checkAnswer(method: string, url: string, status: number, contentType: string | null, text: string | null): void {
  const pathname = new URL(url).pathname;
  if (method === 'OPTIONS') return;
  const m = method === 'HEAD' ? 'GET' : method;
  const where = `${method} ${pathname} → ${status}`;
  const t = templates.find((x) => x.method === m && x.pattern.test(pathname));
  // A path with a trailing or doubled slash: Next.js redirects it to the canonical one.
  if (status === 308 && pathname !== '/' && (pathname.endsWith('/') || pathname.includes('//'))) return;
  if (!t) {
    // No such operation: a path under /api (or a documented path's other method) answers a
    // problem (404 route-not-found, 405 method-not-allowed, 400 for a malformed path).
    if (!pathname.startsWith('/api/') && !templates.some((x) => x.pattern.test(pathname))) return;
    if (status < 400) throw new Error(`${where}: no operation in the OpenAPI document answers this`);
    checkBody(where, 'problem', problemSchema, 'application/problem+json', contentType, text);
    return;
  }
  const response = doc.paths[t.path][m.toLowerCase()].responses[String(status)];
  if (!response) throw new Error(`${where}: the OpenAPI document lists no ${status} for ${m} ${t.path}`);
  const content = response.content as Json | undefined;
  if (!content) {
    if (text) throw new Error(`${where}: the document says no body, but one came: ${text.slice(0, 200)}`);
    return;
  }
  const [type, media] = Object.entries(content)[0]!;
  checkBody(where, `${m} ${t.path} ${status}`, media.schema, type, contentType, text);
}

function checkBody(where: string, key: string, schema: Json, type: string, contentType: string | null, text: string | null) {
  if (!(contentType ?? '').startsWith(type.split(';')[0]!)) throw new Error(`${where}: content-type ${contentType}, the document says ${type}`);
  if (text === null || !type.includes('json')) return; // HEAD, a stream, or text
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${where}: the body is not JSON: ${text.slice(0, 200)}`);
  }
  const validate = validatorFor(key, schema);
  if (!validate(body)) {
    throw new Error(`${where}: the body does not fit the OpenAPI document: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 500)}`);
  }
}

/** `fetch`, with the answer checked against the document (an event stream by its headers only). */
export async function checkedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, init);
  const method = (init.method ?? 'GET').toUpperCase();
  const type = res.headers.get('content-type');
  const streams = (type ?? '').startsWith('text/event-stream');
  const text = method === 'HEAD' || streams ? null : await res.clone().text();
  checkAnswer(method, url, res.status, type, text);
  return res;
}
