import { readdirSync } from 'node:fs';
import type { Serve } from '@/lib/http/route';
import path from 'node:path';

type Params = Record<string, string | string[]>;
/** A route handler as Next.js calls it; the route kit's also carry `serve` (lib/http/route.ts). */
type RouteHandler = ((req: Request, ctx: { params: Promise<Params> }) => Promise<Response> | Response) & { serve?: Serve };
/** What a route.ts module exports: one handler per HTTP method. */
export type RouteModule = Partial<Record<string, RouteHandler>>;

type Segment =
  | { kind: 'static'; value: string }
  | { kind: 'dynamic'; name: string }
  | { kind: 'catch-all'; name: string; optional: boolean };

export interface RouteEntry {
  /** The folder path under app/, as Next.js writes it: `/api/v1/pools/[pool]/claim`. */
  pattern: string;
  segments: Segment[];
  module: RouteModule;
}

export interface Match {
  route: RouteEntry;
  params: Record<string, string | string[]>;
}

function parseSegment(folder: string): Segment {
  const optional = /^\[\[\.\.\.(.+)\]\]$/.exec(folder);
  if (optional) return { kind: 'catch-all', name: optional[1]!, optional: true };
  const catchAll = /^\[\.\.\.(.+)\]$/.exec(folder);
  if (catchAll) return { kind: 'catch-all', name: catchAll[1]!, optional: false };
  const dynamic = /^\[(.+)\]$/.exec(folder);
  if (dynamic) return { kind: 'dynamic', name: dynamic[1]! };
  return { kind: 'static', value: folder };
}

const RANK = { static: 0, dynamic: 1, 'catch-all': 2 } as const;

/** Next.js's precedence: at the first segment where two routes differ, static beats dynamic beats catch-all. */
function bySpecificity(a: RouteEntry, b: RouteEntry): number {
  for (let i = 0; i < Math.max(a.segments.length, b.segments.length); i++) {
    const sa = a.segments[i];
    const sb = b.segments[i];
    if (!sa || !sb) return sa ? 1 : -1;
    const d = RANK[sa.kind] - RANK[sb.kind];
    if (d !== 0) return d;
  }
  return 0;
}

/** Every route.ts under `appDir`, relative folder paths; route groups `(name)` add no segment. */
function findRouteFiles(appDir: string, rel: string[] = []): string[][] {
  const found: string[][] = [];
  for (const entry of readdirSync(path.join(appDir, ...rel), { withFileTypes: true })) {
    if (entry.isDirectory()) found.push(...findRouteFiles(appDir, [...rel, entry.name]));
    else if (entry.name === 'route.ts') found.push(rel);
  }
  return found;
}

/**
 * The app's route handlers (every `app/**\/route.ts`), imported once, in Next.js's matching order.
 * Needs a TypeScript loader (the server runs under `node --require tsx/cjs`).
 */
export function loadRouteTable(appDir: string): RouteEntry[] {
  const table: RouteEntry[] = [];
  for (const rel of findRouteFiles(appDir)) {
    const folders = rel.filter((f) => !/^\(.+\)$/.test(f));
    // require, not import(): the server runs under tsx's in-thread CommonJS hook (scripts/serve.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(path.join(appDir, ...rel, 'route.ts')) as RouteModule;
    table.push({ pattern: `/${folders.join('/')}`, segments: folders.map(parseSegment), module });
  }
  return table.sort(bySpecificity);
}

/**
 * The route serving `pathname` and its parameters, decoded as Next.js decodes them; `null` when
 * no route matches. Throws URIError on malformed percent-encoding.
 */
export function matchRoute(table: RouteEntry[], pathname: string): Match | null {
  const parts = pathname.split('/').slice(1);
  for (const route of table) {
    const params = matchSegments(route.segments, parts);
    if (params) return { route, params };
  }
  return null;
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string | string[]> | null {
  const params: Record<string, string | string[]> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg.kind === 'catch-all') {
      const rest = parts.slice(i);
      if (rest.length === 0 && !seg.optional) return null;
      if (rest.length) params[seg.name] = rest.map(decodeURIComponent);
      return params;
    }
    const part = parts[i];
    if (part === undefined) return null;
    if (seg.kind === 'static') {
      if (part !== seg.value) return null;
    } else params[seg.name] = decodeURIComponent(part);
  }
  return parts.length === segments.length ? params : null;
}
