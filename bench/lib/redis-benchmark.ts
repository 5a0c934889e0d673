// Runs `redis-benchmark` on one command and parses its --csv line. It measures Redis alone (its own C
// client, no application hop), which makes it the ceiling an application path can be compared with.
// `__rand_int__` in any argument is replaced per call by a 12-digit random number below `randomKeyspace`
// (each occurrence independently).
import { spawn } from 'node:child_process';

export interface RedisBenchmarkOptions {
  readonly host: string;
  readonly port: number;
  /** AUTH password of REDIS_URL, if any. */
  readonly password?: string;
  readonly clients: number;
  readonly requests: number;
  /** -r: range of __rand_int__. */
  readonly randomKeyspace?: number;
  /** The command and its arguments (passed as argv: no shell quoting issues, '' allowed). */
  readonly command: readonly string[];
  readonly binary?: string;
}

export interface RedisBenchmarkResult {
  readonly requests: number;
  readonly opsPerSec: number;
  readonly avgMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

function csvFields(line: string): string[] {
  return [...line.matchAll(/"((?:[^"]|"")*)"/g)].map(m => m[1]!.replace(/""/g, '"'));
}

/** Parses redis-benchmark --csv output (a header line, then one line per test). */
export function parseRedisBenchmarkCsv(text: string, requests: number): RedisBenchmarkResult {
  const lines = text.split('\n').map(l => l.trim()).filter(l => l.startsWith('"'));
  const header = lines.map(csvFields).find(f => f[0] === 'test');
  const row = lines.map(csvFields).find(f => f[0] !== 'test');
  if (!header || !row) throw new Error(`redis-benchmark printed no CSV result:\n${text.slice(0, 500)}`);
  const get = (name: string): number => {
    const i = header.indexOf(name);
    const v = i >= 0 ? Number(row[i]) : NaN;
    if (!Number.isFinite(v)) throw new Error(`redis-benchmark CSV has no numeric "${name}": ${row.join(',')}`);
    return v;
  };
  return {
    requests,
    opsPerSec: get('rps'),
    avgMs: get('avg_latency_ms'),
    p50Ms: get('p50_latency_ms'),
    p95Ms: get('p95_latency_ms'),
    p99Ms: get('p99_latency_ms'),
    maxMs: get('max_latency_ms'),
  };
}

export function redisBenchmarkArgs(o: RedisBenchmarkOptions): string[] {
  return [
    '-h', o.host,
    '-p', String(o.port),
    ...(o.password ? ['-a', o.password, '--no-auth-warning'] : []),
    '-c', String(o.clients),
    '-n', String(o.requests),
    ...(o.randomKeyspace ? ['-r', String(o.randomKeyspace)] : []),
    '--csv',
    ...o.command,
  ];
}

export function runRedisBenchmark(o: RedisBenchmarkOptions): Promise<RedisBenchmarkResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(o.binary ?? 'redis-benchmark', redisBenchmarkArgs(o), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', e => reject(new Error(`cannot run redis-benchmark (apt-get install redis-tools): ${e.message}`)));
    child.on('close', code => {
      if (code !== 0) return reject(new Error(`redis-benchmark exited ${code}: ${(err || out).slice(0, 500)}`));
      try {
        resolve(parseRedisBenchmarkCsv(out, o.requests));
      } catch (e) {
        reject(e);
      }
    });
  });
}
