// Command-line parameters of the persistence bench. Defaults keep a full run around 2 minutes on the
// shared 2-core box; --quick is a smoke run that writes nothing unless --write.
import { parseBenchArgs } from '../lib/bench-args';

export interface PersistParams {
  readonly help: boolean;
  readonly quick: boolean;
  readonly write: boolean;
  /** Rounds of the throughput phases (rotated order); the headline is the median round. */
  readonly rounds: number;
  /** Orders per round through the batch consumer and the direct batch insert. */
  readonly orders: number;
  /** Orders per round of each one-row-per-transaction baseline (slower, so fewer). */
  readonly rowOrders: number;
  /** In-flight transactions of the concurrent one-row baseline (= pool size). */
  readonly rowConcurrency: number;
  /** Consumer clients in one group for the parallel consumer phase. */
  readonly parallelConsumers: number;
  /** Reserve rates (orders/s) of the end-to-end lag phases. */
  readonly rates: readonly number[];
  /** Duration of each lag phase. */
  readonly lagMs: number;
  readonly output: string;
}

export const USAGE = `usage: npx tsx bench/persist/main.ts [--help] [--quick] [--write|--no-write] [--rounds N] [--orders N]
       [--row-orders N] [--row-concurrency N] [--parallel-consumers N] [--rates R1,R2] [--lag-ms N] [--output FILE]`;

export function parsePersistParams(argv: readonly string[], defaultOutput: string): PersistParams {
  const args = parseBenchArgs(argv, {
    usage: USAGE,
    defaultOutput,
    flags: ['rounds', 'orders', 'row-orders', 'row-concurrency', 'parallel-consumers', 'rates', 'lag-ms'],
  });
  const { quick } = args;
  const rates = args.ints('rates', quick ? [10] : [10, 100, 200], 1, 5_000);
  return {
    help: args.help,
    quick,
    write: args.write,
    rounds: args.int('rounds', quick ? 1 : 3, 1, 20),
    orders: args.int('orders', quick ? 300 : 3_000, 10, 1_000_000),
    rowOrders: args.int('row-orders', quick ? 100 : 600, 10, 1_000_000),
    rowConcurrency: args.int('row-concurrency', 16, 1, 256),
    parallelConsumers: args.int('parallel-consumers', 4, 1, 32),
    rates,
    lagMs: args.int('lag-ms', quick ? 2_000 : 10_000, 500, 600_000),
    output: args.output,
  };
}
