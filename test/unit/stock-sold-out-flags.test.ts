import assert from 'node:assert/strict';
import { ManualClock } from '../../src/platform/clock';
import { createSoldOutFlags } from '../../src/services/productcatalog/stock/sold-out-flags';

describe('stock sold-out flags', () => {
  it('holds a mark for exactly its TTL', () => {
    const clock = new ManualClock(1000);
    const flags = createSoldOutFlags(clock, 1000);
    assert.equal(flags.isSoldOut('A'), false);
    flags.mark('A');
    assert.equal(flags.isSoldOut('A'), true);
    assert.equal(flags.isSoldOut('B'), false);
    clock.advance(999);
    assert.equal(flags.isSoldOut('A'), true);
    clock.advance(1);
    assert.equal(flags.isSoldOut('A'), false);
  });

  it('clear removes a mark at once; marking again restarts the TTL', () => {
    const clock = new ManualClock();
    const flags = createSoldOutFlags(clock, 500);
    flags.mark('A');
    flags.clear('A');
    assert.equal(flags.isSoldOut('A'), false);
    flags.mark('A');
    clock.advance(400);
    flags.mark('A');
    clock.advance(400);
    assert.equal(flags.isSoldOut('A'), true);
  });

  it('TTL 0 turns the fast path off', () => {
    const flags = createSoldOutFlags(new ManualClock(), 0);
    flags.mark('A');
    assert.equal(flags.isSoldOut('A'), false);
  });

  it('stays bounded under a flood of distinct SKUs, dropping expired marks first', () => {
    const clock = new ManualClock();
    const flags = createSoldOutFlags(clock, 10);
    for (let i = 0; i < 10_000; i++) flags.mark(`S${i}`);
    flags.mark('late');
    assert.equal(flags.isSoldOut('late'), false, 'full of live marks: the new one is not kept');
    clock.advance(10);
    flags.mark('later');
    assert.equal(flags.isSoldOut('later'), true, 'expired marks were pruned to make room');
  });
});
