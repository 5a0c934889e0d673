// Command-line parameters of the inventory bench. Defaults keep a full run under ~2 minutes on the
// 2-core dev box; --quick is a few-second smoke run for CI that writes nothing unless --write.
import { parseBenchArgs } from '../lib/bench-args';

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

export function parseBenchParams(argv: readonly string[], defaultOutput: string): BenchParams {
  const args = parseBenchArgs(argv, {
    usage: USAGE,
    defaultOutput,
    flags: ['rounds', 'concurrency', 'channels', 'duration-ms', 'warm-up-ms', 'lua-requests', 'stock', 'server-cpu-prof'],
  });
  const { quick } = args;
  const params: BenchParams = {
    help: args.help,
    quick,
    write: args.write,
    rounds: args.int('rounds', quick ? 1 : 3, 1, 20),
    concurrency: args.int('concurrency', 64, 1, 1000),
    channels: args.int('channels', 4, 1, 64),
    durationMs: args.int('duration-ms', quick ? 1000 : 7000, 100, 600_000),
    warmUpMs: args.int('warm-up-ms', quick ? 300 : 1500, 0, 60_000),
    luaRequests: args.int('lua-requests', quick ? 5000 : 60_000, 100, 10_000_000),
    stock: args.int('stock', 10_000_000, 1000, 1_000_000_000),
    output: args.output,
    serverCpuProf: args.string('server-cpu-prof') ?? '',
  };
  if (params.channels > params.concurrency) throw new RangeError(`--channels (${params.channels}) must not exceed --concurrency (${params.concurrency})`);
  return params;
}
