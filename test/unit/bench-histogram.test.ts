// The bench latency histogram: exact below 128, within 1/128 above, nearest-rank percentiles, merge.
import assert from 'node:assert/strict';
import { bucketOf, bucketRange, createHistogram } from '../../bench/lib/histogram';

/** Exact nearest-rank percentile of a sorted array, the reference the histogram approximates. */
function exactPercentile(sorted: readonly number[], p: number): number {
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** Deterministic pseudo-random values (LCG), so the test is the same on every run. */
function* lcg(seed: number): Generator<number> {
  let x = seed >>> 0;
  for (;;) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    yield x / 2 ** 32;
  }
}

describe('bench histogram', () => {
  it('an empty histogram reports NaN, not zero', () => {
    const h = createHistogram();
    assert.ok(Number.isNaN(h.percentile(50)));
    assert.equal(h.snapshot().count, 0);
    assert.ok(Number.isNaN(h.snapshot().mean));
  });

  it('small values are exact: 1..100 gives p50 = 50, p99 = 99, p100 = 100, p0 = 1', () => {
    const h = createHistogram();
    for (let v = 100; v >= 1; v--) h.record(v);
    assert.equal(h.percentile(50), 50);
    assert.equal(h.percentile(99), 99);
    assert.equal(h.percentile(100), 100);
    assert.equal(h.percentile(0), 1);
    assert.deepEqual(h.snapshot(), { count: 100, min: 1, max: 100, mean: 50.5 });
  });

  it('one value: every percentile is that value', () => {
    const h = createHistogram();
    h.record(123_456);
    for (const p of [0, 50, 99, 99.9, 100]) assert.equal(h.percentile(p), 123_456);
  });

  it('buckets tile the integers without gaps or overlaps, each at most 1/64 wide relative to its start', () => {
    let expectedLow = 0;
    for (let b = 0; b < 128 + 64 * 20; b++) {
      const [low, high] = bucketRange(b);
      assert.equal(low, expectedLow, `bucket ${b} starts where ${b - 1} ended`);
      assert.ok(high >= low);
      if (low >= 128) assert.ok((high - low + 1) / low <= 1 / 64, `bucket ${b} too wide`);
      assert.equal(bucketOf(low), b);
      assert.equal(bucketOf(high), b);
      expectedLow = high + 1;
    }
  });

  it('percentiles of a wide random spread stay within 1/128 of the exact nearest-rank value', () => {
    const h = createHistogram();
    const values: number[] = [];
    const rnd = lcg(42);
    for (let i = 0; i < 50_000; i++) {
      // log-uniform 1 µs .. ~10 s, like latencies with a long tail
      const v = Math.round(Math.exp(rnd.next().value * Math.log(10_000_000)));
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const p of [1, 10, 50, 90, 99, 99.9]) {
      const exact = exactPercentile(values, p);
      const got = h.percentile(p);
      assert.ok(Math.abs(got - exact) <= Math.max(0.5, exact / 128), `p${p}: got ${got}, exact ${exact}`);
    }
    assert.equal(h.percentile(100), values.at(-1));
    assert.equal(h.snapshot().min, values[0]);
  });

  it('a skewed distribution: p99 sees the slow 2 %, p50 does not', () => {
    const h = createHistogram();
    for (let i = 0; i < 980; i++) h.record(1000);
    for (let i = 0; i < 20; i++) h.record(250_000);
    assert.ok(Math.abs(h.percentile(50) - 1000) <= 1000 / 128);
    assert.ok(Math.abs(h.percentile(99) - 250_000) <= 250_000 / 128);
  });

  it('fractional values are rounded; negative or non-finite values are refused', () => {
    const h = createHistogram();
    h.record(2.4);
    h.record(2.6);
    assert.deepEqual(h.snapshot(), { count: 2, min: 2, max: 3, mean: 2.5 });
    assert.throws(() => h.record(-1), RangeError);
    assert.throws(() => h.record(Number.NaN), RangeError);
    assert.throws(() => h.record(Infinity), RangeError);
    assert.throws(() => h.percentile(101), RangeError);
  });

  it('merge equals recording everything into one histogram', () => {
    const a = createHistogram();
    const b = createHistogram();
    const all = createHistogram();
    const rnd = lcg(7);
    for (let i = 0; i < 5000; i++) {
      const v = Math.round(rnd.next().value * 100_000);
      (i % 3 === 0 ? a : b).record(v);
      all.record(v);
    }
    a.merge(b);
    a.merge(createHistogram());
    for (const p of [0, 25, 50, 75, 99, 100]) assert.equal(a.percentile(p), all.percentile(p));
    assert.equal(a.snapshot().count, all.snapshot().count);
    assert.equal(a.snapshot().min, all.snapshot().min);
    assert.equal(a.snapshot().max, all.snapshot().max);
    assert.ok(Math.abs(a.snapshot().mean - all.snapshot().mean) < 1e-9);
  });
});
