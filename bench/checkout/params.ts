// Command-line parameters of the checkout bench. Defaults keep a full run around a minute on the 2-core
// dev box; --quick is a smoke run (seconds) that writes nothing unless --write.
import { parseArgs } from 'node:util';

export interface CheckoutBenchParams {
  readonly help: boolean;
  readonly quick: boolean;
  readonly write: boolean;
  /** Calls in flight (ghz --concurrency), the same for every phase. */
  readonly concurrency: number;
  /** HTTP/2 connections ghz spreads them over. */
  readonly connections: number;
  readonly placeOrders: number;
  readonly buys: number;
  /** Calls of the no-I/O baseline (CurrencyService.GetSupportedCurrencies). */
  readonly floorCalls: number;
  /** Unmeasured calls per phase first (JIT, connections, pools). */
  readonly warmUp: number;
  readonly output: string;
}

export const USAGE = `usage: npx tsx bench/checkout/main.ts [--help] [--quick] [--write|--no-write] [--concurrency N] [--connections N]
       [--place-orders N] [--buys N] [--floor-calls N] [--warm-up N] [--output FILE]`;

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new RangeError(`--${name} must be an integer ${min}-${max}, got ${raw}\n${USAGE}`);
  return n;
}

export function parseCheckoutBenchParams(argv: readonly string[], defaultOutput: string): CheckoutBenchParams {
  const { values: v } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      help: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      write: { type: 'boolean' },
      'no-write': { type: 'boolean' },
      concurrency: { type: 'string' },
      connections: { type: 'string' },
      'place-orders': { type: 'string' },
      buys: { type: 'string' },
      'floor-calls': { type: 'string' },
      'warm-up': { type: 'string' },
      output: { type: 'string' },
    },
  });
  const quick = v.quick === true;
  return {
    help: v.help === true,
    quick,
    write: v['no-write'] === true ? false : (v.write ?? !quick),
    concurrency: int('concurrency', v.concurrency, 16, 1, 1000),
    connections: int('connections', v.connections, 4, 1, 64),
    placeOrders: int('place-orders', v['place-orders'], quick ? 100 : 1000, 1, 1_000_000),
    buys: int('buys', v.buys, quick ? 200 : 3000, 1, 1_000_000),
    floorCalls: int('floor-calls', v['floor-calls'], quick ? 1000 : 10_000, 1, 10_000_000),
    warmUp: int('warm-up', v['warm-up'], quick ? 20 : 100, 0, 1_000_000),
    output: v.output ?? defaultOutput,
  };
}
