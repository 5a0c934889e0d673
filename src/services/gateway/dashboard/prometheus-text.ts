// Reads the Prometheus text exposition format (what every process serves on /metrics) into series.
// Only what the dashboard needs: sample lines with labels; comments, timestamps and exemplars are skipped.

export interface Series {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export type Labels = Readonly<Record<string, string>>;

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const UNESCAPE: Record<string, string> = { n: '\n', '\\': '\\', '"': '"' };

function parseValue(raw: string): number {
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  return Number(raw);
}

export function parseMetrics(text: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line.trim());
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) {
      labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_, c: string) => UNESCAPE[c] ?? c);
    }
    const value = parseValue(m[3] as string);
    if (!Number.isNaN(value)) out.push({ name: m[1] as string, labels, value });
  }
  return out;
}

/** Series of `name` whose labels include every pair of `labels`. */
export function select(all: readonly Series[], name: string, labels: Labels = {}): Series[] {
  return all.filter(s => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** Sum of the matching series; undefined when there is none. */
export function sum(all: readonly Series[], name: string, labels: Labels = {}): number | undefined {
  const found = select(all, name, labels);
  return found.length === 0 ? undefined : found.reduce((n, s) => n + s.value, 0);
}
