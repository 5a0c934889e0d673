// The promises the simulator can check from what it saw plus the final MySQL rows and Redis stock
// (the ledger checks the stores in depth; these catch what a buyer would notice). Pure.
import type { SaleTally } from './tally';

export interface FinalFacts {
  readonly unitsPerItem: number;
  readonly limitPerUser: number;
  readonly items: readonly string[];
  /** MySQL status of every order id the simulator was given; missing = no row. */
  readonly statuses: ReadonlyMap<string, string>;
  /** Redis stock left per item at the end (InventoryService.GetStock). */
  readonly remaining: ReadonlyMap<string, number>;
}

export interface SimBreach {
  readonly invariant: string;
  readonly detail: string;
}

const PAID_OR_LATER = new Set(['PAID', 'SHIPPED', 'SHIP_FAILED']);
const SAMPLE = 5;

function listed(ids: readonly string[]): string {
  return `${ids.length} (${ids.slice(0, SAMPLE).join(', ')}${ids.length > SAMPLE ? ', …' : ''})`;
}

export function checkSale(tally: SaleTally, facts: FinalFacts): SimBreach[] {
  const out: SimBreach[] = [];
  const status = (id: string) => facts.statuses.get(id);
  const live = tally.accepted.filter(o => status(o.orderId) !== 'CANCELLED');

  const lost = [...tally.accepted.map(o => o.orderId), ...tally.placed.map(o => o.orderId)].filter(id => status(id) === undefined);
  if (lost.length > 0) out.push({ invariant: 'lost order', detail: `accepted but no MySQL row: ${listed(lost)}` });

  for (const sku of facts.items) {
    const held = live.filter(o => o.sku === sku).length;
    if (held > facts.unitsPerItem) out.push({ invariant: 'oversell', detail: `${sku}: ${held} live orders for ${facts.unitsPerItem} units` });
    const left = facts.remaining.get(sku);
    // Exact only when every Buy got an answer: an unanswered one may hold a unit the simulator cannot name.
    if (left !== undefined && tally.buyAnswers.get('UNKNOWN') === 0 && held + left !== facts.unitsPerItem) {
      out.push({ invariant: 'stock accounting', detail: `${sku}: ${held} live orders + ${left} left in Redis ≠ ${facts.unitsPerItem} units` });
    }
  }

  const perUser = new Map<string, number>();
  for (const o of live) perUser.set(`${o.userId} ${o.sku}`, (perUser.get(`${o.userId} ${o.sku}`) ?? 0) + 1);
  const over = [...perUser.entries()].filter(([, n]) => n > facts.limitPerUser).map(([k, n]) => `${k} holds ${n}`);
  if (over.length > 0) out.push({ invariant: 'per-user limit', detail: `above ${facts.limitPerUser}: ${listed(over)}` });

  const notPaid = tally.accepted.filter(o => o.settlement === 'paid' && !PAID_OR_LATER.has(status(o.orderId) ?? '')).map(o => o.orderId);
  if (notPaid.length > 0) out.push({ invariant: 'payment lost', detail: `PayOrder succeeded but the row is not PAID: ${listed(notPaid)}` });

  const paidAnyway = tally.accepted.filter(o => !o.payer && PAID_OR_LATER.has(status(o.orderId) ?? '')).map(o => o.orderId);
  if (paidAnyway.length > 0) out.push({ invariant: 'phantom payment', detail: `never paid but PAID: ${listed(paidAnyway)}` });

  const notCancelled = tally.accepted
    .filter(o => (o.settlement === 'cancelled-by-timeout' || o.settlement === 'cancelled-by-buyer') && status(o.orderId) !== 'CANCELLED')
    .map(o => o.orderId);
  if (notCancelled.length > 0) out.push({ invariant: 'cancel lost', detail: `seen CANCELLED but the row is not: ${listed(notCancelled)}` });

  const unsettled = tally.accepted.filter(o => o.settlement === undefined || o.settlement === 'unsettled').map(o => o.orderId);
  if (unsettled.length > 0) out.push({ invariant: 'unsettled order', detail: `neither paid nor cancelled within the wait: ${listed(unsettled)}` });
  return out;
}
