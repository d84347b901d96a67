import { parseArgs, type ParseArgsConfig } from 'node:util';
import { HubClient } from '../client';

/** A mistake in how the command was called: printed with a hint to `--help`, exit code 2. */
export class UsageError extends Error {}

/** Options every command takes. */
const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const GLOBAL_HELP = `Global options:
  --url URL      the hub (default: $HUB_URL, else http://127.0.0.1:3000)
  --token TOKEN  bearer token of the worker or operator role (default: $HUB_TOKEN)
  -h, --help     show this help`;

export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

/** Parses a command's arguments; node's messages are trimmed to their first sentence. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, positionals = false) {
  try {
    return parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: positionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split('. ')[0]!.replace(/\.$/, ''));
  }
}

export function clientFrom(values: { url?: string; token?: string }, env: Io['env']): HubClient {
  const url = values.url ?? (env.HUB_URL || 'http://127.0.0.1:3000');
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--url must start with http:// or https://, not ${JSON.stringify(url)}`);
  return new HubClient({ url, token: values.token ?? (env.HUB_TOKEN || undefined) });
}

export function required(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`${flag} is required`);
  return value;
}

export function positiveInt(value: string | undefined, flag: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag} must be a whole number from 1 to ${max}, not ${JSON.stringify(value)}`);
  return n;
}

export function positiveSeconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number of seconds, not ${JSON.stringify(value)}`);
  return n;
}

/** Rows as aligned columns under a header. */
export function table(header: string[], rows: (string | number | null)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null ? '-' : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}
