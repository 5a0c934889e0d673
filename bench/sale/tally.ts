// What the simulator saw: every attempt's outcome, counted by name, and every order it was told about.
// Plain data, filled by the buyer and shopper loops, read by the invariant checks and the report.

/** Counts by outcome name ("ACCEPTED", "SOLD_OUT", "error:UNAVAILABLE", …). */
export class Counts {
  private readonly counts = new Map<string, number>();
  add(name: string, n = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + n);
  }
  get(name: string): number {
    return this.counts.get(name) ?? 0;
  }
  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
  /** Entries sorted by count, largest first. */
  entries(): Array<[string, number]> {
    return [...this.counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }
}

/** How an accepted flash-sale order's journey ended, as the buyer saw it. */
export type Settlement =
  | 'paid'
  /** PayOrder refused (reason in the counts). */
  | 'pay-refused'
  | 'cancelled-by-timeout'
  /** The buyer cancelled (the payment window was too long to wait for, see --max-timeout-wait-ms). */
  | 'cancelled-by-buyer'
  /** The order could not be created (WatchOrder FAIL). */
  | 'creation-failed'
  /** No final answer within the wait (stream errors, deadline). */
  | 'unsettled';

export interface AcceptedOrder {
  readonly orderId: string;
  readonly userId: string;
  readonly sku: string;
  /** Decided when accepted: this buyer pays. */
  readonly payer: boolean;
  readonly acceptedAtMs: number;
  settlement?: Settlement;
}

export interface PlacedOrder {
  readonly orderId: string;
  readonly userId: string;
}

export class SaleTally {
  attempts = 0;
  /** IssueToken refusals by gRPC code (the attempt ends there). */
  readonly tokenRefusals = new Counts();
  /** Buy answers: BuyResult names, or `error:<gRPC code>`; `UNKNOWN` when retries never got an answer. */
  readonly buyAnswers = new Counts();
  readonly accepted: AcceptedOrder[] = [];
  readonly placeAnswers = new Counts();
  readonly placed: PlacedOrder[] = [];
  /** PayOrder / CancelOrder / WatchOrder problems by name (for the report). */
  readonly settleNotes = new Counts();
  /** Times of the sale (ms, monotonic-ish wall clock of this process). */
  saleStartMs = 0;
  lastBuyAnsweredMs = 0;
  /** When the units-th ACCEPTED answer came (the item sold out for the first time); 0 = never. */
  soldOutAtMs = 0;
  /** Payment window the first ACCEPTED reply carried (expires_at − answer time), ms; NaN before. */
  observedWindowMs = NaN;

  settlements(): Counts {
    const c = new Counts();
    for (const o of this.accepted) c.add(o.settlement ?? 'unsettled');
    return c;
  }
}

/**
 * Who never pays: of the accepted orders in acceptance order, the k-th (1-based) is a non-payer when
 * floor(k·pct/100) grew, so exactly floor(n·pct/100) of the first n accepted never pay.
 */
export function isNonPayer(acceptedIndex: number, pct: number): boolean {
  const k = acceptedIndex + 1;
  return Math.floor((k * pct) / 100) > Math.floor(((k - 1) * pct) / 100);
}
