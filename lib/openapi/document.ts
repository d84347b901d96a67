import { z } from 'zod';
import * as contracts from '@/lib/contracts';
import * as api from '@/lib/contracts/api';
import { API_OPERATIONS, ROLES_OF, type Operation } from '@/lib/contracts/api';

/**
 * The OpenAPI 3.1 document of the hub, built from the contracts (lib/contracts) and the operation
 * table (lib/contracts/api.ts) with zod's own JSON Schema output: no second copy of any shape.
 * Requests are described as zod parses them (`io: 'input'`: defaults optional, coercions as
 * sent), answers as the hub writes them (`io: 'output'`: every field present, no others).
 */

type JsonSchema = Record<string, unknown>;
export interface OpenApiDocument {
  openapi: '3.1.1';
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  servers: { url: string; description: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, JsonSchema>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
}

const REF = '#/components/schemas/';

/** Every exported schema of the contracts, by its export name (the first name, for aliases). */
function namedSchemas(): Map<z.ZodType, string> {
  const names = new Map<z.ZodType, string>();
  for (const mod of [contracts, api]) {
    for (const [name, value] of Object.entries(mod)) {
      if (value instanceof z.ZodType && !names.has(value)) names.set(value, name);
    }
  }
  return names;
}

/** zod's JSON Schema of every named schema in one mode; `ref` names the component a name lands in. */
function convert(names: Map<z.ZodType, string>, io: 'input' | 'output', ref: (name: string) => string): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of names) registry.add(schema, { id });
  const out = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    uri: (id) => REF + ref(id),
    // JsonValue is a z.custom (presence only): any JSON value.
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema === contracts.JsonValue) ctx.jsonSchema.description = 'Any JSON value (null included).';
    },
  });
  const defs: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(out.schemas)) defs[id] = tidy(schema) as JsonSchema;
  return defs;
}

const SAFE = Number.MAX_SAFE_INTEGER;
/** Drops the per-component `$schema`/`$id` and zod's safe-integer bounds, which say nothing. */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (!node || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema' || key === '$id') continue;
    if ((key === 'minimum' && value === -SAFE) || (key === 'maximum' && value === SAFE)) continue;
    out[key] = tidy(value);
  }
  return out;
}

/** Names of the components a schema refers to, directly or through others. */
function closure(roots: string[], defs: Record<string, JsonSchema>): Set<string> {
  const seen = new Set<string>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(REF)) add(value.slice(REF.length));
      else visit(value);
    }
  };
  const add = (name: string) => {
    if (seen.has(name) || !defs[name]) return;
    seen.add(name);
    visit(defs[name]);
  };
  roots.forEach(add);
  return seen;
}

/**
 * The components: each schema an operation uses, with what it refers to. A schema that reads
 * differently as a request and as an answer (defaults, open vs. closed objects) and is used both
 * ways gets a second component, `<Name>Input`, for the request side.
 */
function components(names: Map<z.ZodType, string>) {
  const nameOf = (schema: z.ZodType, where: string) => {
    const name = names.get(schema);
    if (!name) throw new Error(`${where}: the schema is not exported from lib/contracts, so the document cannot name it`);
    return name;
  };
  const requestRoots: string[] = [];
  const responseRoots: string[] = [];
  for (const op of API_OPERATIONS) {
    const where = `${op.method} ${op.path}`;
    for (const schema of Object.values(op.params ?? {})) requestRoots.push(nameOf(schema, where));
    if (op.query) requestRoots.push(nameOf(op.query, where));
    if (op.body) requestRoots.push(nameOf(op.body, where));
    if (op.success.schema) responseRoots.push(nameOf(op.success.schema, where));
  }
  responseRoots.push('Problem', 'LiveEvent');

  const plain = (id: string) => id;
  const firstIn = convert(names, 'input', plain);
  const firstOut = convert(names, 'output', plain);
  const inputs = closure(requestRoots, firstIn);
  const outputs = closure(responseRoots, firstOut);
  const split = new Set([...inputs].filter((n) => outputs.has(n) && JSON.stringify(firstIn[n]) !== JSON.stringify(firstOut[n])));
  const inName = (id: string) => (split.has(id) ? `${id}Input` : id);
  const inDefs = convert(names, 'input', inName);
  const schemas: Record<string, JsonSchema> = {};
  for (const n of [...outputs].sort()) schemas[n] = firstOut[n]!;
  for (const n of [...inputs].sort()) schemas[inName(n)] = inDefs[n]!;
  return {
    schemas,
    ref: (schema: z.ZodType) => ({ $ref: REF + names.get(schema)! }),
    inRef: (schema: z.ZodType) => ({ $ref: REF + inName(names.get(schema)!) }),
    /** A request schema's own JSON Schema (for query parameters, listed one by one). */
    input: (schema: z.ZodType) => inDefs[names.get(schema)!]!,
  };
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request', 401: 'No valid token', 403: 'Not allowed', 404: 'Not found', 405: 'Method not allowed',
  409: 'Conflict', 413: 'Body too large', 415: 'Not JSON', 421: 'Host not served', 429: 'Too many requests', 500: 'A bug in the hub', 503: 'The database is unavailable',
};

/** The problems an operation can answer with, by status: its own and those of its kind. */
function problemsOf(op: Operation): Map<number, string[]> {
  const codes = new Map<number, Set<string>>();
  const add = (status: number, ...list: string[]) => {
    const set = codes.get(status) ?? new Set<string>();
    list.forEach((c) => set.add(c));
    codes.set(status, set);
  };
  const takesInput = Boolean(op.params || op.query || op.body);
  if (takesInput) add(400, 'invalid-request', 'unstorable-input');
  if (op.body) {
    add(400, 'invalid-json', 'json-too-deep');
    add(413, 'body-too-large');
    add(415, 'unsupported-media-type');
  }
  if (op.access !== 'public') add(401, 'unauthorized');
  const roles = ROLES_OF[op.access];
  if (roles && roles.length < 3) add(403, 'forbidden');
  if (op.access !== 'public' && op.method !== 'GET') add(403, 'cross-site');
  // The server refuses a Host it does not serve before any route runs.
  add(421, 'host-not-allowed');
  // Every token check is throttled per address, also on public routes that read the caller.
  add(429, 'too-many-requests');
  for (const [status, list] of Object.entries(op.problems ?? {})) add(Number(status), ...list);
  add(500, 'internal-error');
  if (!op.noStore) add(503, 'database-unavailable');
  return new Map([...codes].sort(([a], [b]) => a - b).map(([s, set]) => [s, [...set].sort()]));
}

const ACCESS_TEXT: Record<Operation['access'], string> = {
  public: 'No token needed.',
  read: 'Any role: viewer, worker or operator.',
  oversee: 'Operator or viewer.',
  worker: 'Worker or operator.',
  operator: 'Operator only.',
  metrics: 'Operator or viewer, or the `HUB_METRICS_TOKEN`.',
};

function operation(op: Operation, c: ReturnType<typeof components>): JsonSchema {
  const parameters: JsonSchema[] = [];
  for (const [name, schema] of Object.entries(op.params ?? {})) {
    parameters.push({ name, in: 'path', required: true, schema: c.inRef(schema) });
  }
  if (op.query) {
    const query = c.input(op.query);
    const required = new Set((query.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((query.properties as Record<string, JsonSchema>) ?? {})) {
      parameters.push({ name, in: 'query', required: required.has(name), schema });
    }
  }
  const responses: Record<string, JsonSchema> = {};
  const s = op.success;
  const content = s.schema
    ? { content: { 'application/json': { schema: c.ref(s.schema) } } }
    : s.contentType
      ? { content: { [s.contentType]: { schema: { type: 'string' } } } }
      : {};
  if (s.also) responses[String(s.also.status)] = { description: s.also.description, ...content };
  responses[String(s.status)] = {
    description: s.description,
    ...(s.headers ? { headers: Object.fromEntries(Object.entries(s.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) } : {}),
    ...content,
  };
  for (const [status, codes] of problemsOf(op)) {
    responses[String(status)] = {
      description: `${STATUS_TEXT[status]}: ${codes.map((code) => `\`${code}\``).join(', ')}`,
      ...(status === 401 ? { headers: { 'www-authenticate': { description: '`Bearer realm="flatmachines-hub"`', schema: { type: 'string' } } } } : {}),
      content: {
        'application/problem+json': {
          schema: { allOf: [{ $ref: `${REF}Problem` }, { properties: { status: { const: status }, code: { enum: codes } } }] },
        },
      },
    };
  }
  const roles = ROLES_OF[op.access];
  return {
    operationId: op.id,
    tags: [op.tag],
    summary: op.summary,
    description: [op.description, `**Access**: ${ACCESS_TEXT[op.access]}`].filter(Boolean).join('\n\n'),
    'x-hub-access': op.access,
    // OpenAPI 3.1 lets a non-OAuth requirement list the roles it needs.
    security: roles ? [{ bearer: [...roles] }, { session: [...roles] }] : [{}],
    ...(parameters.length ? { parameters } : {}),
    ...(op.body
      ? { requestBody: { required: !op.bodyOptional, content: { 'application/json': { schema: c.inRef(op.body) } } } }
      : {}),
    responses,
  };
}

let cachedNames: Map<z.ZodType, string> | undefined;
const names = () => (cachedNames ??= namedSchemas());
let cached: OpenApiDocument | undefined;

/** The document (built once per process). */
export function openApiDocument(): OpenApiDocument {
  if (cached) return cached;
  const c = components(names());
  const paths: OpenApiDocument['paths'] = {};
  for (const op of API_OPERATIONS) {
    paths[op.path] ??= {};
    paths[op.path]![op.method.toLowerCase()] = operation(op, c);
  }
  cached = {
    openapi: '3.1.1',
    info: {
      title: 'flatmachines-hub',
      version: 'v1',
      description: [
        'A work-distribution hub: workers register and heartbeat, claim items from pools, complete or fail them.',
        'Every error is RFC 9457 `application/problem+json` with a stable `code`. Any path under `/api/v1` that names no route answers 404 `route-not-found`; a method a route does not serve answers 405 `method-not-allowed` with `Allow` (`OPTIONS` answers 204 with the same list, `HEAD` is a GET without the body). A path with a trailing or doubled slash is redirected (308) to its canonical form.',
        'With no `HUB_*_TOKEN` configured the hub is open: every caller is the operator `anonymous` and no token is needed.',
      ].join('\n\n'),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'this hub' }],
    tags: [
      { name: 'Workers', description: 'Registration, heartbeats and status.' },
      { name: 'Items', description: 'Push, claim, complete, fail.' },
      { name: 'Pools', description: 'Counts and bulk operator actions.' },
      { name: 'Operator views', description: 'What the dashboard shows.' },
      { name: 'Tokens and audit', description: 'Issued tokens and the audit trail.' },
      { name: 'Session', description: "The dashboard's sign-in." },
      { name: 'Service', description: 'Health, this document, metrics.' },
    ],
    paths,
    components: {
      schemas: c.schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A configured token (`HUB_OPERATOR_TOKEN`, `HUB_WORKER_TOKEN`, `HUB_VIEWER_TOKEN`) or an issued one (`fmh_…`).' },
        session: { type: 'apiKey', in: 'cookie', name: 'hub_session', description: 'The dashboard session set by `POST /api/v1/session`; writes with it must come from the hub\'s own pages (Origin).' },
      },
    },
  };
  return cached;
}
