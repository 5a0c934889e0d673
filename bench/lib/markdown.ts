// Markdown output of benchmarks: tables, and one section per bench inside BENCHMARKS.md between
// `<!-- bench:<id>:start -->` / `<!-- bench:<id>:end -->` markers, so each bench rewrites only its own part.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export type Cell = string | number;

/** Pipe characters in cells are escaped; numbers are right-aligned. */
export function markdownTable(headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const esc = (c: Cell) => String(c).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const numeric = headers.map((_, col) => rows.length > 0 && rows.every(r => typeof r[col] === 'number'));
  const lines = [
    `| ${headers.map(esc).join(' | ')} |`,
    `| ${numeric.map(n => (n ? '---:' : '---')).join(' | ')} |`,
    ...rows.map(r => `| ${headers.map((_, col) => esc(r[col] ?? '')).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** Plain-text table for the console (same rows as markdownTable). */
export function consoleTable(headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const all = [headers.map(String), ...rows.map(r => headers.map((_, col) => String(r[col] ?? '')))];
  const widths = headers.map((_, col) => Math.max(...all.map(r => r[col]!.length)));
  const line = (r: readonly string[]) => r.map((c, col) => c.padEnd(widths[col]!)).join('  ').trimEnd();
  return [line(all[0]!), widths.map(w => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

const markers = (id: string) => [`<!-- bench:${id}:start -->`, `<!-- bench:${id}:end -->`] as const;

/** Returns `doc` with the section `id` replaced by `body` (appended at the end when absent). */
export function replaceSection(doc: string, id: string, body: string): string {
  if (!/^[a-z0-9-]+$/.test(id)) throw new RangeError(`section id must be kebab-case, got "${id}"`);
  const [start, end] = markers(id);
  const block = `${start}\n${body.trim()}\n${end}`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from >= 0 && to > from) return doc.slice(0, from) + block + doc.slice(to + end.length);
  if (from >= 0 || to >= 0) throw new Error(`BENCHMARKS section "${id}" has a start or end marker missing`);
  return `${doc.replace(/\s*$/, '')}\n\n${block}\n`;
}

/** Rewrites the section `id` of the file; creates the file with `intro` when it does not exist. */
export function writeSection(file: string, id: string, body: string, intro = '# Benchmarks\n'): void {
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : intro;
  writeFileSync(file, replaceSection(doc, id, body));
}

/** Fixed decimals for display (ratios, ms); '—' for NaN. */
export function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '—';
}

/** Thousands separators for ops/s and counts. */
export function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—';
}
