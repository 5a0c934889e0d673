// Command-line parameters of the inventory bench. Defaults keep a full run under ~2 minutes on the
// 2-core dev box; --quick is a few-second smoke run for CI that writes nothing unless --write.
import { parseArgs } from 'node:util';

export interface BenchParams {
  /** Print the usage and exit. */
  readonly help: boolean;
  readonly quick: boolean;
  /** Write the BENCHMARKS.md section (default: yes for a full run, no for --quick). */
  readonly write: boolean;
  /** Rounds of (Lua ceiling, gRPC Reserve, Reserve without gRPC, naive MySQL); the headline is the median round. */
  readonly rounds: number;
  /** Calls in flight for gRPC Reserve and the naive baseline, and redis-benchmark clients. */
  readonly concurrency: number;
  /** gRPC channels (HTTP/2 connections) the in-flight calls are spread over. */
  readonly channels: number;
  /** Measured time per round of the gRPC and MySQL phases. */
  readonly durationMs: number;
  /** Unmeasured calls before round 1 (JIT, connections, pools), as a time. */
  readonly warmUpMs: number;
  /** redis-benchmark requests per round (it takes a count, not a time). */
  readonly luaRequests: number;
  /** Stock of the hot item in Redis and in the naive table: far more than any run takes. */
  readonly stock: number;
  /** Where the section is written. */
  readonly output: string;
  /** Directory for a V8 CPU profile of the bench server (node --cpu-prof), or '' for none. */
  readonly serverCpuProf: string;
}

export const USAGE = `usage: npx tsx bench/inventory/main.ts [--help] [--quick] [--write|--no-write] [--rounds N] [--concurrency N]
       [--channels N] [--duration-ms N] [--warm-up-ms N] [--lua-requests N] [--stock N] [--output FILE]
       [--server-cpu-prof DIR]`;

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new RangeError(`--${name} must be an integer ${min}-${max}, got ${raw}\n${USAGE}`);
  return n;
}

export function parseBenchParams(argv: readonly string[], defaultOutput: string): BenchParams {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      help: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      write: { type: 'boolean' },
      'no-write': { type: 'boolean' },
      rounds: { type: 'string' },
      concurrency: { type: 'string' },
      channels: { type: 'string' },
      'duration-ms': { type: 'string' },
      'warm-up-ms': { type: 'string' },
      'lua-requests': { type: 'string' },
      stock: { type: 'string' },
      output: { type: 'string' },
      'server-cpu-prof': { type: 'string' },
    },
  });
  const quick = values.quick === true;
  const params: BenchParams = {
    help: values.help === true,
    quick,
    write: values['no-write'] ? false : (values.write ?? !quick),
    rounds: int('rounds', values.rounds, quick ? 1 : 3, 1, 20),
    concurrency: int('concurrency', values.concurrency, 64, 1, 1000),
    channels: int('channels', values.channels, 4, 1, 64),
    durationMs: int('duration-ms', values['duration-ms'], quick ? 1000 : 7000, 100, 600_000),
    warmUpMs: int('warm-up-ms', values['warm-up-ms'], quick ? 300 : 1500, 0, 60_000),
    luaRequests: int('lua-requests', values['lua-requests'], quick ? 5000 : 60_000, 100, 10_000_000),
    stock: int('stock', values.stock, 10_000_000, 1000, 1_000_000_000),
    output: values.output ?? defaultOutput,
    serverCpuProf: values['server-cpu-prof'] ?? '',
  };
  if (params.channels > params.concurrency) throw new RangeError(`--channels (${params.channels}) must not exceed --concurrency (${params.concurrency})`);
  return params;
}
