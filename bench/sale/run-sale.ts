// The sale itself, against any running shop: buyers (IssueToken → Buy, bounded concurrency) and
// shoppers (cart → PlaceOrder) at the same time; then the drain (every accepted order in MySQL), the
// settlement of every accepted order (paid, or cancelled by the payment timeout), and the checks the
// simulator can make itself. Used by bench/sale/main.ts and by the integration test.
import type { Db } from '../../src/platform/db';
import { createHistogram, type Histogram } from '../lib/histogram';
import { runLoad } from '../lib/load-loop';
import { attemptPurchase, type BuyerDeps } from './buyer';
import { orderStatuses, waitForRows, writeBehindLag, type DrainResult, type WriteBehindLag } from './drain';
import { checkSale, type SimBreach } from './invariants';
import type { ShopClients } from './shop-clients';
import { placeOrder } from './shopper';
import { SaleTally } from './tally';

export interface SaleRunOptions {
  readonly shop: ShopClients;
  /** The shop's MySQL (rows of the orders table). */
  readonly db: Db;
  readonly runId: string;
  readonly skus: readonly string[];
  readonly unitsPerItem: number;
  readonly limitPerUser: number;
  readonly attempts: number;
  readonly concurrency: number;
  readonly placeOrders: number;
  readonly placeConcurrency: number;
  readonly nonPayerPct: number;
  readonly repeatPct: number;
  /** The checkout trusts x-forwarded-for: give every buyer its own client address. */
  readonly perBuyerAddress: boolean;
  readonly maxTimeoutWaitMs: number;
  readonly drainTimeoutMs: number;
  /** Wait after an order's deadline for its timeout cancel (timer, or the backstop scan). */
  readonly settleGraceMs?: number;
  readonly random?: () => number;
  readonly log?: (line: string) => void;
  readonly progressEveryMs?: number;
}

export interface SaleRunResult {
  readonly tally: SaleTally;
  readonly buyLatencyUs: Histogram;
  readonly placeLatencyUs: Histogram;
  /** From the first attempt until the last Buy and PlaceOrder were answered. */
  readonly buyingMs: number;
  /** From the first Buy until the units-th ACCEPTED (NaN: never sold out). */
  readonly sellOutMs: number;
  /** Accepted Buys per second until the first sell-out (or over the buying phase when it never sold out). */
  readonly acceptedPerSec: number;
  readonly drain: DrainResult;
  /** Reservation → MySQL row of every order of the run (the write-behind's lag and drain). */
  readonly lag: WriteBehindLag;
  /** The same for the first `units` accepted orders (the sell-out burst): its drain is the sale's drain time. */
  readonly burstLag: WriteBehindLag;
  /** From the end of the buying phase until every accepted order was paid or cancelled. */
  readonly settleMs: number;
  readonly statuses: ReadonlyMap<string, string>;
  readonly remaining: ReadonlyMap<string, number>;
  readonly breaches: readonly SimBreach[];
}

/** 10.x.y.z per index: distinct client addresses for a trusting checkout. */
export function clientAddressOf(i: number): string {
  return `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

export async function runSale(o: SaleRunOptions): Promise<SaleRunResult> {
  const log = o.log ?? (() => undefined);
  const random = o.random ?? Math.random;
  const tally = new SaleTally();
  const buyLatencyUs = createHistogram();
  const placeLatencyUs = createHistogram();
  const journeys: Array<Promise<void>> = [];
  const address = (offset: number) => (i: number): Record<string, string> => (o.perBuyerAddress ? { 'x-forwarded-for': clientAddressOf(offset + i) } : {});
  const unitsTotal = o.unitsPerItem * o.skus.length;
  const buyer: BuyerDeps = {
    shop: o.shop,
    tally,
    runId: o.runId,
    skus: o.skus,
    unitsTotal,
    nonPayerPct: o.nonPayerPct,
    repeatPct: o.repeatPct,
    buyLatencyUs,
    clientAddress: address(0),
    maxTimeoutWaitMs: o.maxTimeoutWaitMs,
    settleGraceMs: o.settleGraceMs ?? 60_000,
    rowWaitMs: o.drainTimeoutMs,
    random,
    journeys,
  };

  const progress = setInterval(() => {
    const settled = tally.accepted.filter(a => a.settlement !== undefined).length;
    log(`${tally.attempts}/${o.attempts} attempts, ${tally.accepted.length} accepted (${settled} settled), ${tally.placeAnswers.total()}/${o.placeOrders} PlaceOrder`);
  }, o.progressEveryMs ?? 5000);
  try {
    tally.saleStartMs = Date.now();
    const shoppers = o.placeOrders === 0
      ? Promise.resolve()
      : runLoad({ concurrency: o.placeConcurrency, count: o.placeOrders }, i =>
          placeOrder({ shop: o.shop, tally, runId: o.runId, placeLatencyUs, clientAddress: address(1 << 23), random }, i),
        );
    const buyers = runLoad({ concurrency: o.concurrency, count: o.attempts }, i => attemptPurchase(buyer, i));
    await Promise.all([buyers, shoppers]);
    const buyingEnd = Date.now();
    const buyingMs = buyingEnd - tally.saleStartMs;
    log(`buying phase over after ${(buyingMs / 1000).toFixed(1)} s; waiting for MySQL to hold every accepted order`);

    const ids = [...tally.accepted.map(a => a.orderId), ...tally.placed.map(p => p.orderId)];
    const drain = await waitForRows(o.db, ids, buyingEnd, o.drainTimeoutMs);
    log(`drain: ${drain.missing.length === 0 ? `${drain.drainMs} ms after the buying phase` : `${drain.missing.length} order(s) still missing`}; waiting for payments and timeout cancels`);
    await Promise.all(journeys);
    const settleMs = Date.now() - buyingEnd;

    const statuses = await orderStatuses(o.db, ids);
    const lag = await writeBehindLag(o.db, ids);
    const burstLag = await writeBehindLag(o.db, tally.accepted.slice(0, unitsTotal).map(a => a.orderId));
    const remaining = new Map<string, number>();
    for (const sku of o.skus) remaining.set(sku, Number((await o.shop.getStock({ productId: sku })).redisStock));
    const sellOutMs = tally.soldOutAtMs > 0 ? tally.soldOutAtMs - tally.saleStartMs : NaN;
    const lastAccept = tally.accepted.reduce((m, a) => Math.max(m, a.acceptedAtMs), tally.saleStartMs);
    const acceptedPerSec = Number.isFinite(sellOutMs)
      ? unitsTotal / Math.max(sellOutMs / 1000, 1e-3)
      : tally.accepted.length / Math.max((lastAccept - tally.saleStartMs) / 1000, 1e-3);
    const breaches = checkSale(tally, { unitsPerItem: o.unitsPerItem, limitPerUser: o.limitPerUser, items: o.skus, statuses, remaining });
    return { tally, buyLatencyUs, placeLatencyUs, buyingMs, sellOutMs, acceptedPerSec, drain, lag, burstLag, settleMs, statuses, remaining, breaches };
  } finally {
    clearInterval(progress);
  }
}
