// bench/checkout: reading ghz's JSON summary (latencies in ns → ms, status and error tallies).
import assert from 'node:assert/strict';
import { parseGhzJson } from '../../bench/checkout/ghz';
import { parseCheckoutBenchParams } from '../../bench/checkout/params';

describe('checkout bench: ghz summary and parameters', () => {
  it('converts ghz latencies (ns) to ms and keeps status counts', () => {
    const r = parseGhzJson(JSON.stringify({
      count: 1000,
      rps: 512.5,
      average: 31_000_000,
      latencyDistribution: [
        { percentage: 50, latency: 25_500_000 },
        { percentage: 90, latency: 60_000_000 },
        { percentage: 99, latency: 120_250_000 },
      ],
      statusCodeDistribution: { OK: 998, Unavailable: 2 },
      errorDistribution: { 'rpc error: code = Unavailable desc = payment unavailable': 2 },
    }));
    assert.deepEqual(r, {
      count: 1000,
      rps: 512.5,
      p50Ms: 25.5,
      p90Ms: 60,
      p99Ms: 120.25,
      meanMs: 31,
      statuses: { OK: 998, Unavailable: 2 },
      errors: { 'rpc error: code = Unavailable desc = payment unavailable': 2 },
    });
  });

  it('a run where every call failed has no distribution: NaN, not a crash', () => {
    const r = parseGhzJson(JSON.stringify({ count: 3, rps: 0, average: 0, latencyDistribution: null, statusCodeDistribution: null, errorDistribution: null }));
    assert.ok(Number.isNaN(r.p50Ms));
    assert.deepEqual(r.statuses, {});
  });

  it('--quick writes nothing unless --write; sizes are bounded', () => {
    assert.equal(parseCheckoutBenchParams(['--quick'], 'B.md').write, false);
    assert.equal(parseCheckoutBenchParams(['--quick', '--write'], 'B.md').write, true);
    assert.equal(parseCheckoutBenchParams([], 'B.md').write, true);
    assert.throws(() => parseCheckoutBenchParams(['--concurrency', '0'], 'B.md'), /--concurrency must be/);
  });
});
