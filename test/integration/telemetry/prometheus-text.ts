// Reads the Prometheus text exposition format (what /metrics serves) into series for assertions.
import { get } from 'node:http';

export interface Series {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Series of `name` whose labels include `labels`. */
export function select(all: readonly Series[], name: string, labels: Readonly<Record<string, string>> = {}): Series[] {
  return all.filter(s => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** Sum of the matching series; undefined when there is none. */
export function total(all: readonly Series[], name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const found = select(all, name, labels);
  return found.length === 0 ? undefined : found.reduce((n, s) => n + s.value, 0);
}

export function scrape(port: number): Promise<Series[]> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/metrics' }, res => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(parseMetrics(body)) : reject(new Error(`/metrics: HTTP ${res.statusCode}`))));
    }).on('error', reject);
  });
}
