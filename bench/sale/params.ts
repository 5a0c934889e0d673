// Command-line parameters of the sale simulator. Defaults are the sale (100 000 attempts on
// 1 000 units of one hot item, plus PlaceOrder traffic); --quick is a < 1 min smoke sale.
import { parseBenchArgs } from '../lib/bench-args';

export interface SaleParams {
  readonly help: boolean;
  readonly quick: boolean;
  /** Rewrite the "sale" section of BENCHMARKS.md (default: yes for a full run, no for --quick). */
  readonly write: boolean;
  readonly output: string;
  /** Hot flash-sale items created and warmed for this run. */
  readonly items: number;
  /** Units of each item. */
  readonly units: number;
  /** Per-user limit of each item. */
  readonly limitPerUser: number;
  /** IssueToken → Buy attempts, spread over the items. */
  readonly attempts: number;
  /** Attempts in flight. */
  readonly concurrency: number;
  /** PlaceOrder calls on the catalog items (cart → PlaceOrder), run alongside the sale. */
  readonly placeOrders: number;
  /** PlaceOrder calls in flight. */
  readonly placeConcurrency: number;
  /** Percent of accepted buyers that never pay (their orders must be cancelled by the payment timeout). */
  readonly nonPayerPct: number;
  /** Percent of attempts made by a user who already tried (exercises the per-user rules). */
  readonly repeatPct: number;
  /** Payment window of the simulator's own checkout (ORDER_PAYMENT_WINDOW_MS of that process). */
  readonly paymentWindowMs: number;
  /** Use the checkout of `make run` (CHECKOUT_SERVICE_ADDR) instead of starting one with a short window. */
  readonly againstRunning: boolean;
  /** How long non-payers wait for the timeout cancel; beyond it (a long window) they cancel themselves. */
  readonly maxTimeoutWaitMs: number;
  /** How long the pipeline may take to bring every accepted order into MySQL. */
  readonly drainTimeoutMs: number;
  /** --wait-drain of the ledger check. */
  readonly ledgerWaitMs: number;
  /** Measured time of the naive MySQL baseline (0 = skip baselines). */
  readonly baselineMs: number;
  /** Client deadline of each unary call. */
  readonly callDeadlineMs: number;
}

export const USAGE = `usage: npx tsx bench/sale/main.ts [--help] [--quick] [--write|--no-write] [--output FILE]
       [--items N] [--units N] [--limit-per-user N] [--attempts N] [--concurrency N]
       [--place-orders N] [--place-concurrency N] [--non-payer-pct P] [--repeat-pct P]
       [--payment-window-ms MS] [--against-running] [--max-timeout-wait-ms MS]
       [--drain-timeout-ms MS] [--ledger-wait-ms MS] [--baseline-ms MS] [--call-deadline-ms MS]
  Targets the services of \`make run\` (default addresses); starts its own checkout (short payment
  window, trusted x-forwarded-for) unless --against-running.`;

const FLAGS = [
  'items', 'units', 'limit-per-user', 'attempts', 'concurrency', 'place-orders', 'place-concurrency', 'non-payer-pct',
  'repeat-pct', 'payment-window-ms', 'max-timeout-wait-ms', 'drain-timeout-ms', 'ledger-wait-ms', 'baseline-ms', 'call-deadline-ms',
] as const;

export function parseSaleParams(argv: readonly string[], defaultOutput: string): SaleParams {
  // --against-running is a plain switch; bench-args only knows value flags.
  const againstRunning = argv.includes('--against-running');
  const args = parseBenchArgs(argv.filter(a => a !== '--against-running'), { usage: USAGE, defaultOutput, flags: FLAGS });
  const { quick } = args;
  const params: SaleParams = {
    help: args.help,
    quick,
    write: args.write,
    output: args.output,
    items: args.int('items', 1, 1, 100),
    units: args.int('units', quick ? 100 : 1000, 1, 10_000_000),
    limitPerUser: args.int('limit-per-user', 1, 1, 1000),
    attempts: args.int('attempts', quick ? 5000 : 100_000, 1, 100_000_000),
    concurrency: args.int('concurrency', 32, 1, 1000),
    placeOrders: args.int('place-orders', quick ? 50 : 500, 0, 10_000_000),
    placeConcurrency: args.int('place-concurrency', 4, 1, 200),
    nonPayerPct: args.int('non-payer-pct', 10, 0, 100),
    repeatPct: args.int('repeat-pct', 2, 0, 100),
    // Longer than the write-behind lag under load (p99 ≈ 30 s with the shop sharing 2 cores), so a payer finds
    // its row before the deadline; non-payers are still cancelled well inside the buying phase.
    paymentWindowMs: args.int('payment-window-ms', quick ? 20_000 : 60_000, 1000, 86_400_000),
    againstRunning,
    maxTimeoutWaitMs: args.int('max-timeout-wait-ms', 120_000, 0, 3_600_000),
    drainTimeoutMs: args.int('drain-timeout-ms', 300_000, 1000, 3_600_000),
    ledgerWaitMs: args.int('ledger-wait-ms', 60_000, 0, 3_600_000),
    baselineMs: args.int('baseline-ms', quick ? 0 : 5000, 0, 600_000),
    callDeadlineMs: args.int('call-deadline-ms', 10_000, 100, 600_000),
  };
  return params;
}
