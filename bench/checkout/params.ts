// Command-line parameters of the checkout bench. Defaults keep a full run around a minute on the 2-core
// dev box; --quick is a smoke run (seconds) that writes nothing unless --write.
import { parseBenchArgs } from '../lib/bench-args';

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

export function parseCheckoutBenchParams(argv: readonly string[], defaultOutput: string): CheckoutBenchParams {
  const args = parseBenchArgs(argv, {
    usage: USAGE,
    defaultOutput,
    flags: ['concurrency', 'connections', 'place-orders', 'buys', 'floor-calls', 'warm-up'],
  });
  const { quick } = args;
  return {
    help: args.help,
    quick,
    write: args.write,
    concurrency: args.int('concurrency', 16, 1, 1000),
    connections: args.int('connections', 4, 1, 64),
    placeOrders: args.int('place-orders', quick ? 100 : 1000, 1, 1_000_000),
    buys: args.int('buys', quick ? 200 : 3000, 1, 1_000_000),
    floorCalls: args.int('floor-calls', quick ? 1000 : 10_000, 1, 10_000_000),
    warmUp: args.int('warm-up', quick ? 20 : 100, 0, 1_000_000),
    output: args.output,
  };
}
