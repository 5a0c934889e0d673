// Stock-domain outcomes of Reserve → shop.v1.ReserveResponse. Refusals are answers, not errors.
import { ReserveOutcome as WireOutcome, type RefusedLine, type ReserveResponse } from '../../../gen/shop/v1/inventory';
import { AbortedError } from '../../../platform/errors';
import type { Duplicate, ReserveOutcome, StockLine } from '../stock';

const requested = (lines: readonly StockLine[], index: number): number => lines[index]?.qty ?? 0;

function refusedLine(outcome: Exclude<ReserveOutcome, { kind: 'RESERVED' | 'DUPLICATE' }>, lines: readonly StockLine[]): RefusedLine {
  const base: RefusedLine = {
    lineIndex: outcome.line,
    productId: outcome.sku,
    requested: requested(lines, outcome.line),
    available: 0n,
    limitPerUser: 0,
    alreadyBought: 0,
  };
  switch (outcome.kind) {
    case 'SOLD_OUT':
      return { ...base, available: BigInt(outcome.available) };
    case 'LIMIT_EXCEEDED':
      return { ...base, limitPerUser: outcome.limit, alreadyBought: outcome.held };
    case 'NOT_WARMED':
      return base;
  }
}

const WIRE_REFUSAL = {
  SOLD_OUT: WireOutcome.RESERVE_OUTCOME_SOLD_OUT,
  LIMIT_EXCEEDED: WireOutcome.RESERVE_OUTCOME_LIMIT_EXCEEDED,
  NOT_WARMED: WireOutcome.RESERVE_OUTCOME_NOT_WARMED,
} as const;

function duplicateResponse(d: Duplicate): ReserveResponse {
  const base: ReserveResponse = {
    outcome: WireOutcome.RESERVE_OUTCOME_DUPLICATE,
    orderId: d.orderId,
    refusedLine: undefined,
    firstOutcome: WireOutcome.RESERVE_OUTCOME_UNSPECIFIED,
    reservedAt: undefined,
    released: false,
  };
  switch (d.first.kind) {
    case 'RESERVED':
      return { ...base, firstOutcome: WireOutcome.RESERVE_OUTCOME_RESERVED, released: d.state === 'RELEASED' };
    case 'SOLD_OUT':
    case 'LIMIT_EXCEEDED':
      return { ...base, firstOutcome: WIRE_REFUSAL[d.first.kind], refusedLine: refusedLine(d.first, d.lines) };
    case 'ABORTED':
      // A cross-shard attempt abandoned before its commit: it holds nothing, like a released order.
      return { ...base, released: true };
    case 'PENDING':
      throw new AbortedError(`order ${d.orderId}: its first reservation is still being decided; retry shortly`);
  }
}

/** `lines` are the request's lines (for `requested`); `now` stamps a fresh reservation. */
export function toReserveResponse(outcome: ReserveOutcome, orderId: string, lines: readonly StockLine[], now: Date): ReserveResponse {
  switch (outcome.kind) {
    case 'RESERVED':
      return {
        outcome: WireOutcome.RESERVE_OUTCOME_RESERVED,
        orderId,
        refusedLine: undefined,
        firstOutcome: WireOutcome.RESERVE_OUTCOME_UNSPECIFIED,
        reservedAt: now,
        released: false,
      };
    case 'DUPLICATE':
      return duplicateResponse(outcome);
    default:
      return {
        outcome: WIRE_REFUSAL[outcome.kind],
        orderId,
        refusedLine: refusedLine(outcome, lines),
        firstOutcome: WireOutcome.RESERVE_OUTCOME_UNSPECIFIED,
        reservedAt: undefined,
        released: false,
      };
  }
}
