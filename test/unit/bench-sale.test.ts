// The sale simulator's pure parts: who never pays, the checks it makes from what it saw, its flags.
import { strict as assert } from 'node:assert';
import { cpuSecondsOf, cpuSpent, sampleCpu } from '../../bench/sale/cpu-usage';
import { percentileOf } from '../../bench/sale/drain';
import { checkSale, type FinalFacts } from '../../bench/sale/invariants';
import { parseSaleParams } from '../../bench/sale/params';
import { clientAddressOf } from '../../bench/sale/run-sale';
import { Counts, isNonPayer, SaleTally, type AcceptedOrder } from '../../bench/sale/tally';

function tally(orders: Array<Partial<AcceptedOrder> & { orderId: string }>): SaleTally {
  const t = new SaleTally();
  for (const o of orders) t.accepted.push({ userId: `u-${o.orderId}`, sku: 'SKU', payer: true, acceptedAtMs: 0, settlement: 'paid', ...o });
  t.buyAnswers.add('ACCEPTED', orders.length);
  return t;
}

function facts(statuses: Record<string, string>, remaining: number, over: Partial<FinalFacts> = {}): FinalFacts {
  return { unitsPerItem: 3, limitPerUser: 1, items: ['SKU'], statuses: new Map(Object.entries(statuses)), remaining: new Map([['SKU', remaining]]), ...over };
}

describe('sale simulator: non-payer share', () => {
  it('exactly floor(n·pct/100) of the first n accepted never pay, spread out', () => {
    for (const pct of [0, 10, 25, 33, 100]) {
      for (const n of [1, 7, 50, 1000]) {
        const nonPayers = Array.from({ length: n }, (_, i) => isNonPayer(i, pct)).filter(Boolean).length;
        assert.equal(nonPayers, Math.floor((n * pct) / 100), `pct ${pct}, n ${n}`);
      }
    }
    assert.deepEqual(Array.from({ length: 10 }, (_, i) => isNonPayer(i, 20)), [false, false, false, false, true, false, false, false, false, true]);
  });
});

describe('sale simulator: its own checks', () => {
  it('a clean sale: every unit paid or back in Redis, one per user', () => {
    const t = tally([{ orderId: 'a' }, { orderId: 'b' }, { orderId: 'c', payer: false, settlement: 'cancelled-by-timeout' }]);
    t.placed.push({ orderId: 'p', userId: 'shopper' });
    assert.deepEqual(checkSale(t, facts({ a: 'PAID', b: 'SHIPPED', c: 'CANCELLED', p: 'SHIPPED' }, 1)), []);
  });

  it('names a lost order (accepted, no row) by id', () => {
    const t = tally([{ orderId: 'a' }, { orderId: 'b' }]);
    t.placed.push({ orderId: 'p', userId: 'shopper' });
    const b = checkSale(t, facts({ a: 'PAID' }, 1));
    assert.equal(b.find(x => x.invariant === 'lost order')?.detail, 'accepted but no MySQL row: 2 (b, p)');
  });

  it('oversell and stock accounting', () => {
    const t = tally([{ orderId: 'a' }, { orderId: 'b' }, { orderId: 'c' }, { orderId: 'd' }]);
    const b = checkSale(t, facts({ a: 'PAID', b: 'PAID', c: 'PAID', d: 'PAID' }, 0));
    assert.deepEqual(b.map(x => x.invariant), ['oversell', 'stock accounting']);
    const c = checkSale(tally([{ orderId: 'a' }]), facts({ a: 'PAID' }, 1));
    assert.deepEqual(c.map(x => x.detail), ['SKU: 1 live orders + 1 left in Redis ≠ 3 units']);
  });

  it('stock accounting is skipped when a Buy never got an answer', () => {
    const t = tally([{ orderId: 'a' }]);
    t.buyAnswers.add('UNKNOWN');
    assert.deepEqual(checkSale(t, facts({ a: 'PAID' }, 1)), []);
  });

  it('a user above the limit, counting only orders that were not cancelled', () => {
    const t = tally([
      { orderId: 'a', userId: 'same' },
      { orderId: 'b', userId: 'same', payer: false, settlement: 'cancelled-by-timeout' },
      { orderId: 'c', userId: 'same' },
    ]);
    const b = checkSale(t, facts({ a: 'PAID', b: 'CANCELLED', c: 'PAID' }, 1));
    assert.deepEqual(b.map(x => x.invariant), ['per-user limit']);
    assert.match(b[0]!.detail, /same SKU holds 2/);
  });

  it('payments and cancels the rows do not show, and orders never settled', () => {
    const t = tally([
      { orderId: 'a' },
      { orderId: 'b', payer: false, settlement: 'cancelled-by-timeout' },
      { orderId: 'c', payer: false, settlement: 'unsettled' },
    ]);
    const b = checkSale(t, facts({ a: 'PENDING_PAYMENT', b: 'PAID', c: 'PENDING_PAYMENT' }, 0, { unitsPerItem: 3 }));
    assert.deepEqual(b.map(x => x.invariant), ['payment lost', 'phantom payment', 'cancel lost', 'unsettled order']);
  });
});

describe('sale simulator: helpers and flags', () => {
  it('counts sorted largest first', () => {
    const c = new Counts();
    c.add('SOLD_OUT', 5);
    c.add('ACCEPTED', 2);
    c.add('DUPLICATE', 2);
    assert.deepEqual(c.entries(), [['SOLD_OUT', 5], ['ACCEPTED', 2], ['DUPLICATE', 2]]);
    assert.equal(c.total(), 9);
  });

  it('one distinct client address per buyer', () => {
    assert.equal(clientAddressOf(0), '10.0.0.0');
    assert.equal(clientAddressOf(70_000), '10.1.17.112');
    assert.equal(new Set(Array.from({ length: 100_000 }, (_, i) => clientAddressOf(i))).size, 100_000);
  });

  it('defaults are the issue\'s sale; --quick is small; --against-running is a switch', () => {
    const d = parseSaleParams([], 'B.md');
    assert.deepEqual([d.attempts, d.units, d.items, d.write, d.againstRunning], [100_000, 1000, 1, true, false]);
    const q = parseSaleParams(['--quick', '--against-running'], 'B.md');
    assert.deepEqual([q.attempts, q.units, q.write, q.againstRunning], [5000, 100, false, true]);
    assert.throws(() => parseSaleParams(['--non-payer-pct', '101'], 'B.md'), /--non-payer-pct must be an integer 0-100/);
  });
});

describe('sale simulator: where the time went', () => {
  // /proc/<pid>/stat: comm may hold spaces and parentheses; utime and stime are fields 14 and 15 (ticks).
  const stat = (utime: number, stime: number) => `4242 (node (sale) x) S 1 2 3 4 5 6 7 8 9 10 ${utime} ${stime} 0 0 20 0`;

  it('reads user + system CPU seconds from /proc/<pid>/stat; a vanished process reads as undefined', () => {
    assert.equal(cpuSecondsOf(4242, () => stat(250, 50)), 3);
    assert.equal(cpuSecondsOf(4242, () => { throw new Error('ENOENT'); }), undefined);
  });

  it('CPU spent between two samples, per process present in both', () => {
    const procs = [{ name: 'simulator', pid: 1 }, { name: 'gone', pid: 2 }];
    const before = sampleCpu(procs, path => (path.includes('/1/') ? stat(100, 0) : stat(10, 0)));
    const after = sampleCpu(procs, path => { if (path.includes('/2/')) throw new Error('exited'); return stat(350, 50); });
    assert.deepEqual(cpuSpent(before, after), [{ name: 'simulator', seconds: 3 }]);
  });

  it('nearest-rank percentiles of the write-behind lag', () => {
    const lags = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentileOf(lags, 50), 50);
    assert.equal(percentileOf(lags, 99), 99);
    assert.equal(percentileOf(lags, 100), 100);
    assert.equal(percentileOf([7], 99), 7);
    assert.ok(Number.isNaN(percentileOf([], 50)));
  });
});
