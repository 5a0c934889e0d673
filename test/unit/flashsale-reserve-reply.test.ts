import assert from 'node:assert/strict';
import { BuyResult } from '../../src/gen/shop/v1/flashsale';
import { ReserveOutcome, type ReserveResponse } from '../../src/gen/shop/v1/inventory';
import { judgeReserve } from '../../src/services/checkout/flashsale/reserve-reply';

const res = (o: Partial<ReserveResponse>): ReserveResponse => ({
  outcome: ReserveOutcome.RESERVE_OUTCOME_UNSPECIFIED,
  orderId: 'o-1',
  refusedLine: undefined,
  firstOutcome: ReserveOutcome.RESERVE_OUTCOME_UNSPECIFIED,
  reservedAt: undefined,
  released: false,
  ...o,
});
const line = (available: number, limitPerUser = 0, alreadyBought = 0) => ({ lineIndex: 0, productId: 'P', requested: 1, available: BigInt(available), limitPerUser, alreadyBought });

describe('flash-sale Reserve → Buy reply', () => {
  it('RESERVED is accepted', () => {
    assert.deepEqual(judgeReserve(res({ outcome: ReserveOutcome.RESERVE_OUTCOME_RESERVED })), { kind: 'ACCEPTED' });
  });

  it('SOLD_OUT with nothing left sets the sold-out flag; with some left it does not', () => {
    const none = judgeReserve(res({ outcome: ReserveOutcome.RESERVE_OUTCOME_SOLD_OUT, refusedLine: line(0) }));
    assert.ok(none.kind === 'REFUSED' && none.soldOut && none.reply.result === BuyResult.BUY_RESULT_SOLD_OUT);
    const some = judgeReserve(res({ outcome: ReserveOutcome.RESERVE_OUTCOME_SOLD_OUT, refusedLine: line(1) }));
    assert.ok(some.kind === 'REFUSED' && !some.soldOut && some.reply.reason === 'only 1 left');
  });

  it('LIMIT_EXCEEDED names the limit and what the buyer holds', () => {
    const v = judgeReserve(res({ outcome: ReserveOutcome.RESERVE_OUTCOME_LIMIT_EXCEEDED, refusedLine: line(5, 1, 1) }));
    assert.ok(v.kind === 'REFUSED');
    assert.equal(v.reply.result, BuyResult.BUY_RESULT_LIMIT_EXCEEDED);
    assert.equal(v.reply.reason, 'at most 1 per buyer; you already hold 1');
  });

  it('NOT_WARMED and unknown outcomes are undecided', () => {
    assert.deepEqual(judgeReserve(res({ outcome: ReserveOutcome.RESERVE_OUTCOME_NOT_WARMED })), { kind: 'UNDECIDED' });
    assert.deepEqual(judgeReserve(res({ outcome: ReserveOutcome.UNRECOGNIZED })), { kind: 'UNDECIDED' });
  });

  it('DUPLICATE is judged by the first outcome: a live reservation is ours, a released one a DUPLICATE naming it', () => {
    const dup = (first: ReserveOutcome, o: Partial<ReserveResponse> = {}) =>
      judgeReserve(res({ outcome: ReserveOutcome.RESERVE_OUTCOME_DUPLICATE, firstOutcome: first, ...o }));
    assert.deepEqual(dup(ReserveOutcome.RESERVE_OUTCOME_RESERVED), { kind: 'ACCEPTED' });
    const released = dup(ReserveOutcome.RESERVE_OUTCOME_RESERVED, { released: true });
    assert.ok(released.kind === 'REFUSED' && released.reply.result === BuyResult.BUY_RESULT_DUPLICATE && released.reply.orderId === 'o-1');
    const sold = dup(ReserveOutcome.RESERVE_OUTCOME_SOLD_OUT, { refusedLine: line(0) });
    assert.ok(sold.kind === 'REFUSED' && sold.reply.result === BuyResult.BUY_RESULT_SOLD_OUT);
    const limit = dup(ReserveOutcome.RESERVE_OUTCOME_LIMIT_EXCEEDED, { refusedLine: line(3, 1, 1) });
    assert.ok(limit.kind === 'REFUSED' && limit.reply.result === BuyResult.BUY_RESULT_LIMIT_EXCEEDED);
  });
});
