import { checkedFetch } from './openapi';

/**
 * A scrape of GET /metrics, parsed as Prometheus's text exposition format 0.0.4 says: `# TYPE`
 * lines, then samples `name{label="value",…} number`, label values escaped with \\, \" and \n.
 * (The npm parser parse-prometheus-text-format drops the labels of histogram sums and counts, so
 * the test parses for itself; the grammar is small.) Throws on any line it cannot read.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface Scrape {
  /** `# TYPE` of each family. */
  types: Map<string, string>;
  samples: Sample[];
  /** The value of the one sample named `name` whose labels include `labels` (undefined: none). */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;

export function parseExposition(text: string): Omit<Scrape, 'value'> {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (line.startsWith('#')) {
      const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (type) types.set(type[1]!, type[2]!);
      else if (!line.startsWith('# HELP ')) throw new Error(`unreadable comment: ${line}`);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`unreadable sample: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const l = LABEL.exec(body);
      if (!l) throw new Error(`unreadable labels: ${line}`);
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    // prom-client writes `Nan`; Prometheus reads floats with Go's ParseFloat, case-insensitively.
    if (Number.isNaN(value) && m[3]!.toLowerCase() !== 'nan') throw new Error(`unreadable value: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { types, samples };
}

export async function scrape(url: string, token?: string): Promise<Scrape> {
  const res = await checkedFetch(`${url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: ${await res.text()}`);
  const parsed = parseExposition(await res.text());
  return {
    ...parsed,
    value: (name, labels = {}) => {
      const found = parsed.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
      if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${found.length} samples`);
      return found[0]?.value;
    },
  };
}
