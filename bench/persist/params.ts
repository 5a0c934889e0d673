// Command-line parameters of the persistence bench. Defaults keep a full run around 2 minutes on the
// shared 2-core box; --quick is a smoke run that writes nothing unless --write.
import { parseArgs } from 'node:util';

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

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new RangeError(`--${name} must be an integer ${min}-${max}, got ${raw}\n${USAGE}`);
  return n;
}

export function parsePersistParams(argv: readonly string[], defaultOutput: string): PersistParams {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      help: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      write: { type: 'boolean' },
      'no-write': { type: 'boolean' },
      rounds: { type: 'string' },
      orders: { type: 'string' },
      'row-orders': { type: 'string' },
      'row-concurrency': { type: 'string' },
      'parallel-consumers': { type: 'string' },
      rates: { type: 'string' },
      'lag-ms': { type: 'string' },
      output: { type: 'string' },
    },
  });
  const quick = values.quick === true;
  const rates = (values.rates ?? (quick ? '10' : '10,100,200')).split(',').map(r => int('rates', r.trim(), 0, 1, 5_000));
  return {
    help: values.help === true,
    quick,
    write: values['no-write'] ? false : (values.write ?? !quick),
    rounds: int('rounds', values.rounds, quick ? 1 : 3, 1, 20),
    orders: int('orders', values.orders, quick ? 300 : 3_000, 10, 1_000_000),
    rowOrders: int('row-orders', values['row-orders'], quick ? 100 : 600, 10, 1_000_000),
    rowConcurrency: int('row-concurrency', values['row-concurrency'], 16, 1, 256),
    parallelConsumers: int('parallel-consumers', values['parallel-consumers'], 4, 1, 32),
    rates,
    lagMs: int('lag-ms', values['lag-ms'], quick ? 2_000 : 10_000, 500, 600_000),
    output: values.output ?? defaultOutput,
  };
}
